/**
 * Actions whose answer is a stored secret value: Secrets Manager and Parameter Store values,
 * KMS decryption, and other reads that return a secret. A read-only role must be denied them
 * explicitly: their access level is Read (or Write, for KMS), so neither a "List and Read only"
 * grant nor a read-only managed policy keeps them out. The plan role's Deny names them
 * (`lib/plan/plan-permissions.ts`), with the credential reads of `./credential-reads`.
 */
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
