/**
 * The permissions of the Terraform plan role: what `terraform plan` on a pull request runs as in
 * every product account. It reads the services the Terraform role manages, and nothing it is
 * granted writes: every pattern in its Allow is proved read-only against the IAM action catalog
 * (`nonReadOnlyGrants` of the document is empty). An explicit Deny keeps secret values out of
 * reach even when another policy of the role (a read-only AWS managed policy) or a resource
 * policy (a KMS key policy naming the role) would allow them.
 */
import { isReadOnly, serviceCatalog, type CatalogAction } from "../iam/action-catalog";
import { expandAction } from "../iam/access-level";
import { allow, deny } from "../iam/documents";
import type { Statement } from "../iam/types";

/** Sid of the plan role's read statement. */
export const PLAN_READ_SID = "ReadManagedServices";

/** Sid of the plan role's Deny on secret values. */
export const DENY_SECRET_READS_SID = "DenyReadingSecrets";

/**
 * Secrets Manager actions that return a secret's value (decrypted). Consequence: a plan of a
 * stack that manages `aws_secretsmanager_secret_version` (or reads it as a data source) fails
 * with AccessDenied; that is intended, a plan must not see secret values.
 * `secretsmanager:DescribeSecret` (metadata only) and `secretsmanager:GetRandomPassword` (makes
 * a new random string, reads nothing stored) stay allowed.
 */
export const SECRETS_MANAGER_VALUE_ACTIONS: readonly string[] = [
  "secretsmanager:BatchGetSecretValue",
  "secretsmanager:GetSecretValue",
];

/**
 * Parameter Store actions that return parameter values; with `WithDecryption` they return
 * SecureString values decrypted. IAM has no condition key for `WithDecryption`, so these are
 * denied outright, for String parameters too. Consequence: Terraform reads every
 * `aws_ssm_parameter` (resource and data source) with `GetParameter` and decryption, so a plan
 * of a stack that manages or reads SSM parameters fails with AccessDenied; that is intended.
 * `ssm:DescribeParameters` (names and metadata) stays allowed, and `ssm:GetDocument` (SSM
 * documents are not secrets) is not denied.
 */
export const PARAMETER_STORE_VALUE_ACTIONS: readonly string[] = [
  "ssm:GetParameter",
  "ssm:GetParameterHistory",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
];

/**
 * KMS actions that turn ciphertext back into plaintext: `kms:Decrypt`, and `kms:ReEncryptFrom`
 * (it decrypts under the source key before encrypting under a key the caller picks). Both are
 * Write-level, so the read statement never grants them; they are denied because a key policy or
 * grant can name the role directly, and because the AWS managed keys of Secrets Manager and
 * Parameter Store allow every principal of the account to decrypt through the service ("Any
 * principal that retrieves the decrypted value must have kms:Decrypt permission on that key":
 * "Restricting decryption of SecureString parameter values", AWS Systems Manager User Guide).
 * The plan role never needs to decrypt: Terraform state is read by another role, in the
 * Terraform account. Consequences, all intended: reads that AWS decrypts with the caller's KMS
 * permissions return no plaintext to the plan role (S3 objects under SSE-KMS, so an
 * `aws_s3_object` data source that reads the body of such an object fails; SQS messages under
 * SSE-KMS; Lambda environment variables under a customer managed key).
 * `kms:ReEncryptTo` (encrypts only) and `kms:GenerateDataKey*` (return a new key, not a stored
 * secret) are not denied; both are Write-level, so the read statement does not grant them.
 */
export const KMS_DECRYPT_ACTIONS: readonly string[] = ["kms:Decrypt", "kms:ReEncryptFrom"];

/**
 * Read-level actions of other services whose answer is a stored secret, a credential or data a
 * policy chose to hide, and which no Terraform refresh needs:
 * - `acm:ExportCertificate`: the certificate's private key, encrypted with a passphrase the
 *   caller chooses, so in effect the private key;
 * - `bedrock-agentcore:GetResourceApiKey`: the API key kept by an AgentCore credential provider;
 * - `datazone:GetEnvironmentCredentials`: temporary AWS credentials of a DataZone environment's
 *   user role, which may write;
 * - `geo:DescribeKey`: the value of an Amazon Location API key;
 * - `logs:Unmask`: log events with the values a data protection policy masks;
 * - `macie2:GetSensitiveDataOccurrences`: samples of the sensitive data Macie found in S3;
 * - `pca-connector-scep:GetChallengePassword`: the SCEP challenge password that authorises
 *   certificate requests;
 * - `states:RevealSecrets`: the connection credentials Step Functions otherwise omits from a
 *   TestState result;
 * - `storagegateway:DescribeChapCredentials`: the CHAP secrets of an iSCSI target.
 *
 * Not denied, on purpose: reads Terraform needs to refresh a resource, even where the answer may
 * carry a secret the resource's owner put in its configuration: `lambda:GetFunction` and
 * `lambda:GetFunctionConfiguration` (environment variables), `ecs:DescribeTaskDefinition`
 * (container environment; `secrets` are only ARNs), `ec2:DescribeInstanceAttribute` and
 * `ec2:GetLaunchTemplateData` (user data), `cognito-idp:DescribeUserPoolClient` (client secret),
 * `glue:GetConnection` (connection password), `apigateway:GET` (API key values, which share the
 * action with every other API Gateway read). `ec2:GetPasswordData` returns the Windows password
 * encrypted with the key pair's public key, not plaintext. RDS master passwords cannot be read
 * back at all (a managed one lives in Secrets Manager, denied above).
 */
export const OTHER_SECRET_READ_ACTIONS: readonly string[] = [
  "acm:ExportCertificate",
  "bedrock-agentcore:GetResourceApiKey",
  "datazone:GetEnvironmentCredentials",
  "geo:DescribeKey",
  "logs:Unmask",
  "macie2:GetSensitiveDataOccurrences",
  "pca-connector-scep:GetChallengePassword",
  "states:RevealSecrets",
  "storagegateway:DescribeChapCredentials",
];

/** Every action the plan role's Deny names, sorted. */
export const SECRET_READ_ACTIONS: readonly string[] = [
  ...SECRETS_MANAGER_VALUE_ACTIONS,
  ...PARAMETER_STORE_VALUE_ACTIONS,
  ...KMS_DECRYPT_ACTIONS,
  ...OTHER_SECRET_READ_ACTIONS,
].sort();

/**
 * The plan role's explicit Deny on {@link SECRET_READ_ACTIONS}, on every resource. It needs no
 * exception for Terraform state: the plan role never reads state (the CI plan role does, in the
 * Terraform account). One statement, returned as a list to spread into a document.
 */
export function denySecretReads(): Statement[] {
  return [deny({ sid: DENY_SECRET_READS_SID, actions: SECRET_READ_ACTIONS, resources: ["*"] })];
}

/**
 * The positions where a word starts in an action name, after the first: `GetDBInstances` →
 * `Get|DB|Instances`. An upper-case letter starts a word when a lower-case letter or a digit
 * comes before it, or when it is the last capital of an acronym (`DBInstances`: the `I`).
 */
function wordStarts(name: string): number[] {
  const isUpper = (c: string | undefined): boolean => c !== undefined && c >= "A" && c <= "Z";
  const isLowerOrDigit = (c: string | undefined): boolean =>
    c !== undefined && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9"));
  const starts: number[] = [];
  for (let i = 1; i < name.length; i += 1) {
    const [before, here, after] = [name[i - 1], name[i], name[i + 1]];
    if (isUpper(here) && (isLowerOrDigit(before) || (isUpper(before) && isLowerOrDigit(after)))) {
      starts.push(i);
    }
  }
  return starts;
}

/**
 * Verbs of actions the Service Authorization Reference classes as Read although they change
 * something: `sqs:ReceiveMessage` hides messages from their consumers, `logs:StartQuery` runs
 * (and bills) a query, `ssm:PutConfigurePackageResult` records a result. A plan needs none of
 * them, so the plan role is not granted any Read action whose name starts with one of these.
 */
export const SIDE_EFFECT_VERBS: readonly string[] = [
  "Allow",
  "Cancel",
  "Create",
  "Delete",
  "Execute",
  "Invoke",
  "Purge",
  "Put",
  "Receive",
  "Reset",
  "Run",
  "Send",
  "Start",
  "Stop",
  "Update",
];

/** Whether the plan role may be granted `action`: read-only, and no side-effect verb. */
export function isPlanGrantable(action: CatalogAction): boolean {
  const name = action.action.slice(action.action.indexOf(":") + 1);
  const verb = /^[A-Z][a-z]+/.exec(name)?.[0] ?? name;
  return isReadOnly(action) && !SIDE_EFFECT_VERBS.includes(verb);
}

/**
 * Read-only patterns for one service's List and Read actions (but those with a
 * {@link SIDE_EFFECT_VERBS} verb). For each such action, the
 * shortest whole-word prefix (`Describe`, `Get`, `GetConsole`) whose pattern `service:Prefix*`
 * matches only List and Read actions, and at least two of them, stands for it; an action with no
 * such prefix is named exactly. Word boundaries (not the shortest string that happens to be
 * clean, such as `Des*`) keep the patterns readable and unlikely to catch a write action AWS adds
 * later. Returns `[]` for a service the catalog does not know. Sorted.
 */
export function readPatternsForService(service: string): string[] {
  const catalog = serviceCatalog(service);
  if (catalog === undefined) {
    return [];
  }
  const verdicts = new Map<string, boolean>();
  const cleanPrefix = (prefix: string): boolean => {
    const key = prefix.toLowerCase();
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      const expanded = expandAction(`${catalog.service}:${prefix}*`);
      verdict =
        expanded.ok &&
        expanded.actions.length >= 2 &&
        expanded.actions.every((action: CatalogAction) => isPlanGrantable(action));
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  const patterns = new Set<string>();
  for (const action of catalog.actions) {
    if (!isPlanGrantable(action)) {
      continue;
    }
    const name = action.action.slice(catalog.service.length + 1);
    const prefix = wordStarts(name)
      .map((end) => name.slice(0, end))
      .find(cleanPrefix);
    patterns.add(prefix === undefined ? action.action : `${catalog.service}:${prefix}*`);
  }
  return [...patterns].sort();
}

/**
 * The services of `services` that the IAM action catalog does not know (lower case, sorted,
 * without repeats). {@link planReadStatements} grants nothing for them; report them so the user
 * can correct the name or update the catalog.
 */
export function servicesWithoutCatalog(services: readonly string[]): string[] {
  const unknown = new Set(
    services.map((s) => s.toLowerCase()).filter((s) => serviceCatalog(s) === undefined),
  );
  return [...unknown].sort();
}

/**
 * The plan role's read access to `services` (the Terraform role's `allowedServices`): one Allow
 * statement on every resource, with {@link readPatternsForService} of each service, sorted.
 * Services the catalog does not know get nothing (fail closed; see
 * {@link servicesWithoutCatalog}). Returns `[]` when nothing is readable.
 */
export function planReadStatements(services: readonly string[]): Statement[] {
  const unique = [...new Set(services.map((s) => s.toLowerCase()))].sort();
  const actions = unique.flatMap(readPatternsForService).sort();
  return actions.length === 0 ? [] : [allow({ sid: PLAN_READ_SID, actions, resources: ["*"] })];
}
