import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, type HandoffOptions } from "./files";
import { attributeLines, hclString, type Attribute } from "./hcl";

/**
 * `backend.s3.tfbackend`: the partial configuration of the `s3` backend. Workspace `W`'s state
 * is `s3://<bucket>/<prefix>/W/<key>`, encrypted with the state key, locked as the stack says
 * (S3 lockfile, DynamoDB table, or both). The backend starts from whatever credentials the run
 * has (in CI: the CI user's access keys) and assumes the CI Terraform role for every state
 * request. Nothing here is specific to one machine or to an emulator.
 */
export function renderBackend(outputs: DeployedOutputs, options: HandoffOptions): string {
  const b = outputs.backend;
  const lockfile = b.lockMode !== "dynamodb";
  const attributes: Attribute[] = [
    { name: "bucket", expression: hclString(b.bucket) },
    { name: "region", expression: hclString(b.region) },
    { name: "key", expression: hclString(b.key) },
    { name: "workspace_key_prefix", expression: hclString(b.workspaceKeyPrefix) },
    { name: "encrypt", expression: "true" },
    { name: "kms_key_id", expression: hclString(b.kmsKeyArn) },
    ...(lockfile ? [{ name: "use_lockfile", expression: "true" }] : []),
    ...(b.lockTable !== undefined
      ? [{ name: "dynamodb_table", expression: hclString(b.lockTable) }]
      : []),
  ];
  const lockNote = {
    "s3-lockfile":
      "Locking: a lockfile beside the state (<state>.tflock), written with If-None-Match.",
    dynamodb: "Locking: an item in the DynamoDB table, keyed by <bucket>/<state object>.",
    both: "Locking: a lockfile beside the state and an item in the DynamoDB table; both must be held.",
  }[b.lockMode];
  return [
    ...generatedHeader(options.stack),
    "#",
    '# Partial configuration of the "s3" backend (the root module declares `backend "s3" {}`):',
    "#   tofu init -backend-config=backend.s3.tfbackend",
    `# Workspace W keeps its state in s3://${b.bucket}/${b.workspaceKeyPrefix}/W/${b.key},`,
    "# encrypted with the state key (SSE-KMS).",
    `# ${lockNote}`,
    ...attributeLines(attributes),
    "",
    "# Runs start from the CI user's access keys; every state request is made as the CI Terraform",
    "# role, with temporary credentials.",
    "assume_role = {",
    ...attributeLines([{ name: "role_arn", expression: hclString(outputs.ciRoleArn) }], "  "),
    "}",
    "",
  ].join("\n");
}
