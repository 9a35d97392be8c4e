/**
 * What each structured setting of the stack config looks like, in the reader's terms, with an
 * example in YAML flow style: the words config errors use when a value has the wrong shape or
 * is missing, so no message falls back to the validator's own text.
 */

/** A setting's shape: what it is and a value that would do. */
export interface FieldShape {
  /** What the value must be, as in "must be <what>". */
  readonly what: string;
  /** A valid value in YAML flow style. */
  readonly example: string;
}

/** Shapes by generic path: keys joined with `.`, array elements as `[]`. */
const SHAPES: Readonly<Record<string, FieldShape>> = {
  organization: { what: "a short organisation name", example: "acme" },
  region: { what: "an AWS region code", example: "eu-west-1" },
  partition: { what: "an AWS partition", example: "aws" },
  terraformAccount: {
    what: "a mapping with the Terraform account's id",
    example: '{ id: "111111111111" }',
  },
  "terraformAccount.id": { what: "a 12-digit account id in quotes", example: '"111111111111"' },
  productAccounts: {
    what: "a list of product accounts, one '- name: ..., id: ...' entry each",
    example: '[{ name: dev, id: "222222222222" }]',
  },
  "productAccounts[]": {
    what: "a product account: a mapping with its name and id",
    example: '{ name: dev, id: "222222222222" }',
  },
  "productAccounts[].name": { what: "the account's name", example: "dev" },
  "productAccounts[].id": { what: "a 12-digit account id in quotes", example: '"222222222222"' },
  ci: {
    what: "a mapping of CI settings",
    example: "{ mode: github-oidc, repository: acme/infrastructure }",
  },
  "ci.pipeline": { what: "a mapping of pipeline settings", example: "{ tool: terraform }" },
  "ci.pipeline.codeOwners": { what: "a list of owner handles", example: "[@acme/devops]" },
  "ci.pipeline.applyOrder": {
    what: "a list of stages, each a workspace or a list of workspaces",
    example: "[dev, [staging-eu, staging-us], prod]",
  },
  "ci.pipeline.applyOrder[]": {
    what: "a workspace name or a list of workspace names",
    example: "[staging-eu, staging-us]",
  },
  terraformRole: {
    what: "a mapping of the Terraform role's settings",
    example: "{ allowedServices: [ec2, s3] }",
  },
  "terraformRole.managedPolicyArns": {
    what: "a list of AWS managed policy ARNs",
    example: "[arn:aws:iam::aws:policy/PowerUserAccess]",
  },
  "terraformRole.customerManagedPolicies": {
    what: "a list of customer managed policy names",
    example: "[TerraformExtras]",
  },
  "terraformRole.allowedServices": {
    what: "a list of IAM service prefixes",
    example: "[ec2, s3, elasticloadbalancing]",
  },
  terraformPlanRole: {
    what: "a mapping of the plan role's settings",
    example: "{ name: terraform-plan }",
  },
  "terraformPlanRole.managedPolicyArns": {
    what: "a list of read-only AWS managed policy ARNs",
    example: "[arn:aws:iam::aws:policy/ReadOnlyAccess]",
  },
  state: { what: "a mapping of state backend settings", example: "{ lock: s3-lockfile }" },
  audit: { what: "a mapping of audit trail settings", example: "{ trailName: terraform-audit }" },
  adminPrincipals: {
    what: "a list of IAM role or user ARNs",
    example: "[arn:aws:iam::111111111111:role/PlatformAdmin]",
  },
  tags: { what: "a mapping of tag keys to values", example: "{ CostCenter: platform }" },
};

/** The generic form of a path: `productAccounts[3].id` → `productAccounts[].id`. */
export function genericPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += "[]";
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The shape of the setting at `path`, when the table knows it. */
export function fieldShape(path: readonly PropertyKey[]): FieldShape | undefined {
  return SHAPES[genericPath(path)];
}

/** How a value found in the config is called in a message: "a list", "the number 5"... */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "object":
      return "a mapping";
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `the boolean ${value}`;
    case "string":
      return "a string";
    default:
      return `a ${typeof value}`;
  }
}
