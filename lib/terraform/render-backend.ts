import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, type HandoffOptions } from "./files";
import { attributeLines, hclString, type Attribute } from "./hcl";

/**
 * `backend.s3.tfbackend`: the partial configuration of the `s3` backend. Workspace `W`'s state
 * is `s3://<bucket>/<prefix>/W/<key>`, encrypted with the state key, locked as the stack says
 * (S3 lockfile, DynamoDB table, or both). The backend assumes no role: it makes every state
 * request with the run's own credentials, which in CI are a session of the CI role of the run's
 * access level (the pipeline takes it before Terraform starts). Both CI roles may use state as
 * their policies allow: the apply role reads and writes, the plan role reads and holds the lock.
 * Nothing here is specific to one machine or to an emulator.
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
    "# No assume_role: every state request uses the run's credentials, a session of the CI role",
    "# of its access level that the pipeline takes before Terraform starts. The CI apply role",
    "# reads and writes state; the CI plan role reads it and writes nothing but the lock.",
    ...attributeLines(attributes),
    "",
  ].join("\n");
}
