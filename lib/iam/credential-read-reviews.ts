/**
 * The reviewed table of credential reads: every List or Read action the credential-read detector
 * (see `./credential-reads`) flags in the pinned IAM action catalog, with a verdict and a reason
 * a security reviewer can check against AWS's API reference.
 *
 * - `deny`: the answer is (or may be) a credential, a token with authority, a key, a password, a
 *   secret value, a presigned URL, or data a policy chose to hide. A role that only reads (the
 *   plan role) must never call it. Where AWS publishes no response shape (console-only and
 *   permission-only actions) and the description leaves a secret possible, the verdict is `deny`.
 * - `allow`: the answer carries no usable secret: metadata, an id, a public key, a CSR, a status,
 *   a pagination or change token with no authority, or a value published by design.
 *
 * `terraform` names the Terraform AWS provider resources and data sources (`data.` prefix) whose
 * refresh calls the action. A plan of a configuration with one of them fails with AccessDenied
 * when the action is denied; every such `deny` is deliberate (the secret outweighs the plan), and
 * every such `allow` is one the refresh needs.
 */

/** A verdict of the review. */
export type CredentialReadVerdict = "deny" | "allow";

/** One reviewed action. */
export interface CredentialReadReview {
  /** `service:Name`, spelled as the IAM action catalog spells it. */
  readonly action: string;
  readonly verdict: CredentialReadVerdict;
  /** What the answer carries, in one line, checkable against AWS's API reference. */
  readonly reason: string;
  /** Terraform resources and data sources (`data.aws_*`) whose refresh calls the action. */
  readonly terraform?: readonly string[];
}

function review(
  verdict: CredentialReadVerdict,
  action: string,
  reason: string,
  terraform?: readonly string[],
): CredentialReadReview {
  return terraform === undefined
    ? { action, verdict, reason }
    : { action, verdict, reason, terraform };
}

const deny = (
  action: string,
  reason: string,
  terraform?: readonly string[],
): CredentialReadReview => review("deny", action, reason, terraform);

const allow = (
  action: string,
  reason: string,
  terraform?: readonly string[],
): CredentialReadReview => review("allow", action, reason, terraform);

/** The reviewed table, sorted by action. */
export const CREDENTIAL_READ_REVIEWS: readonly CredentialReadReview[] = [
  deny(
    "acm:ExportCertificate",
    "returns the certificate's private key (encrypted with a passphrase the caller chooses, so in effect the private key)",
  ),
  deny(
    "acm:GetAcmeExternalAccountBindingCredentials",
    "returns the MAC key of an ACME external account binding, which lets an ACME client register against the account's endpoint",
  ),
  allow(
    "aidevops:GetAccessToken",
    "metadata of a DevOps Agent access token (name, scope, expiry): the token value is shown once, at creation, and cannot be retrieved again",
  ),
  allow(
    "aidevops:ListAccessTokens",
    "lists DevOps Agent access tokens by metadata; token values are shown only at creation",
  ),
  allow(
    "aiops:GetFactVersions",
    "versions of a 'fact' in an investigation report; the token here is a report fact, not an authentication token",
  ),
  deny(
    "amplify:GetArtifactUrl",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (a build or test artifact of an Amplify app)",
  ),
  deny(
    "amplifybackend:GetToken",
    "returns the one-time challenge code that authenticates into the Amplify Admin UI",
  ),
  allow(
    "amplifyuibuilder:ExportComponents",
    "exports UI component definitions (properties, bindings, styles) as code; no credential",
  ),
  allow(
    "amplifyuibuilder:ExportForms",
    "exports form definitions (fields, layout) as code; no credential",
  ),
  allow(
    "amplifyuibuilder:ExportThemes",
    "exports theme values (colours, fonts) as code; no credential",
  ),
  deny(
    "appsync:ListApiKeys",
    "an AppSync API key's id is the key itself (the x-api-key value), so the list hands out every key of the API",
    ["aws_appsync_api_key"],
  ),
  deny(
    "artifact:ExportComplianceInquiry",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (the exported compliance inquiry report)",
  ),
  deny(
    "auditmanager:GetAssessmentReportUrl",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (an Audit Manager assessment report)",
  ),
  deny(
    "auditmanager:GetEvidenceFileUploadUrl",
    "returns a presigned S3 upload URL: whoever holds it can write evidence files without AWS credentials",
  ),
  deny(
    "aws-external-anthropic:CallWithBearerToken",
    "permits calls authenticated with a bearer token (API key) instead of SigV4; a plan needs none",
  ),
  deny(
    "aws-external-anthropic:GetKey",
    "'get an external encryption key': AWS publishes no response shape, so it may return key material; a plan needs none",
  ),
  deny(
    "aws-external-anthropic:GetVault",
    "'retrieve details of a credential vault or its credentials': the answer may carry the stored third-party credentials",
  ),
  allow(
    "aws-external-anthropic:ListVaults",
    "lists credential vaults by name and metadata; credentials are read with GetVault (denied)",
  ),
  allow(
    "backup:ExportBackupPlanTemplate",
    "returns the backup plan as a JSON template (rules, schedules, vault names); no credential",
  ),
  deny(
    "bedrock-agentcore:CompleteResourceTokenAuth",
    "completes a user's OAuth 3LO consent so AgentCore obtains an access token for the resource: it mints a stored credential",
  ),
  allow(
    "bedrock-agentcore:GetApiKeyCredentialProvider",
    "returns the provider's configuration with the ARN of the Secrets Manager secret that holds the key, not the key",
  ),
  allow(
    "bedrock-agentcore:GetOauth2CredentialProvider",
    "returns the provider's configuration (client id, discovery URL, callback URL) and the ARN of the secret holding the client secret, not the secret",
  ),
  allow(
    "bedrock-agentcore:GetPaymentCredentialProvider",
    "returns the provider's configuration with secret ARNs; AWS documents that it excludes the secret values",
  ),
  deny(
    "bedrock-agentcore:GetResourceApiKey",
    "returns the API key an API-key credential provider holds",
  ),
  deny(
    "bedrock-agentcore:GetResourceOauth2Token",
    "returns an OAuth 2.0 access token for the external resource",
  ),
  deny(
    "bedrock-agentcore:GetResourcePaymentToken",
    "returns payment-provider authentication tokens (bearer, wallet auth, basic auth)",
  ),
  allow("bedrock-agentcore:GetTokenVault", "returns the token vault's KMS configuration; no token"),
  allow(
    "bedrock-agentcore:ListApiKeyCredentialProviders",
    "lists credential providers by name, ARN and dates; no key",
  ),
  allow(
    "bedrock-agentcore:ListOauth2CredentialProviders",
    "lists credential providers by name, vendor, ARN and dates; no secret",
  ),
  allow(
    "bedrock-agentcore:ListPaymentCredentialProviders",
    "lists credential providers by name, vendor, ARN and dates; no secret",
  ),
  deny(
    "bedrock-mantle:CallWithBearerToken",
    "permits calls authenticated with a bearer token (API key) instead of SigV4; a plan needs none",
  ),
  allow("bedrock-mantle:CountTokens", "counts the LLM tokens of a request; returns a number"),
  deny(
    "bedrock:CallWithBearerToken",
    "permits Bedrock calls authenticated with an API key, a bearer token (short-term keys derive from the caller's session) that works without SigV4; a plan needs none",
  ),
  allow("bedrock:CountTokens", "counts the LLM tokens of a prompt; returns a number"),
  allow(
    "bedrock:ExportAutomatedReasoningPolicyVersion",
    "exports an Automated Reasoning policy definition (rules, variables, types); customer content, no credential",
  ),
  deny(
    "bedrock:GetDataSourceAuthorizationUrl",
    "returns the OAuth authorisation URL for a MANAGED_OAUTH2 knowledge-base data source, the start of a grant of third-party data access; AWS publishes no response shape; a plan needs none",
  ),
  allow(
    "billing:UseSourceView",
    "lets a billing view be used as the source of another view; returns no credential",
  ),
  allow(
    "chatbot:GetMicrosoftTeamsOauthParameters",
    "returns the parameters of Microsoft's consent page; the OAuth code comes back to the service and is redeemed only with chatbot:RedeemMicrosoftTeamsOauthCode (Write)",
  ),
  allow(
    "chatbot:GetSlackOauthParameters",
    "returns the parameters of Slack's consent page; the OAuth code is redeemed only with chatbot:RedeemSlackOauthCode (Write)",
  ),
  deny(
    "chime:ListApiKeys",
    "lists the SCIM access keys of the Chime account's Okta integration; console-only, no published response, and a SCIM key provisions users",
  ),
  allow(
    "chime:ListVoiceConnectorTerminationCredentials",
    "returns the SIP credentials' user names only; passwords are write-only",
    ["aws_chime_voice_connector_termination_credentials"],
  ),
  deny(
    "cloud9:CreateEnvironmentToken",
    "creates an authentication token that connects the Cloud9 IDE to the environment",
  ),
  allow(
    "cloudtrail:ListPublicKeys",
    "returns public keys for validating digest files; public by design",
  ),
  deny(
    "cloudwatch:GetSpaceCredentials",
    "returns temporary AWS credentials for a CloudWatch space",
  ),
  deny(
    "cloudwatch:GetSpaceCredentialsForOrganization",
    "returns temporary AWS credentials (access key, secret key, session token) for a space in a member account",
  ),
  deny(
    "codeartifact:GetAuthorizationToken",
    "returns a CodeArtifact authorisation token (up to 12 hours) for the domain's repositories",
  ),
  allow(
    "codebuild:ListConnectedOAuthAccounts",
    "console-only list of the third-party accounts connected by OAuth; names, no token",
  ),
  allow(
    "codebuild:ListSourceCredentials",
    "returns each source credential's ARN, server type and auth type, not the token",
    ["aws_codebuild_source_credential"],
  ),
  deny(
    "codeconnections:GetConnectionToken",
    "returns a token that calls the repository provider (GitHub, Bitbucket, GitLab) as the connection",
  ),
  deny(
    "codeconnections:GetIndividualAccessToken",
    "console step of a connection's OAuth installation that obtains the individual's access token for the provider",
  ),
  allow(
    "codeconnections:GetInstallationUrl",
    "console step that returns the provider's app installation page; an address, no token (the token step is GetIndividualAccessToken, denied)",
  ),
  allow(
    "codeconnections:StartOAuthHandshake",
    "console step that starts the provider's consent page; no token (the token step is GetIndividualAccessToken, denied)",
  ),
  deny(
    "codeconnections:UseConnection",
    "calls the repository provider with the connection's stored token; with read_write provider permissions that includes writes to the repositories",
  ),
  allow(
    "codedeploy:ListGitHubAccountTokenNames",
    "lists the names of stored GitHub connections; no token",
  ),
  deny(
    "codeguru-reviewer:CreateConnectionToken",
    "performs the OAuth handshake with a third-party provider, which yields a connection token",
  ),
  deny(
    "codestar-connections:GetConnectionToken",
    "returns a token that calls the repository provider as the connection",
  ),
  deny(
    "codestar-connections:GetIndividualAccessToken",
    "console step of a connection's OAuth installation that obtains the individual's access token",
  ),
  allow(
    "codestar-connections:GetInstallationUrl",
    "console step that returns the provider's app installation page; no token",
  ),
  allow(
    "codestar-connections:StartOAuthHandshake",
    "console step that starts the provider's consent page; no token",
  ),
  deny(
    "codestar-connections:UseConnection",
    "calls the repository provider with the connection's stored token, writes included with read_write provider permissions",
  ),
  deny(
    "cognito-identity:GetCredentialsForIdentity",
    "returns AWS credentials (access key, secret key, session token) for an identity pool identity",
  ),
  deny(
    "cognito-identity:GetOpenIdToken",
    "returns an OpenID Connect token (10 minutes) that sts:AssumeRoleWithWebIdentity exchanges for role credentials",
  ),
  deny(
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "returns an OpenID Connect token for a developer-authenticated identity, exchangeable for role credentials",
    ["aws_cognito_identity_openid_token_for_developer_identity"],
  ),
  allow(
    "cognito-idp:GetUserAttributeVerificationCode",
    "sends a verification code to the user's email or phone; the answer says where it was sent, not the code",
  ),
  allow(
    "cognito-idp:ListUserPoolClientSecrets",
    "returns client secret ids and dates; AWS documents that the response never reveals the secret value",
  ),
  allow("comprehend:BatchDetectSyntax", "syntax analysis of text; 'tokens' are words"),
  allow("comprehend:DetectSyntax", "syntax analysis of text; 'tokens' are words"),
  deny(
    "connect:GetFederationToken",
    "returns access and refresh tokens for the Connect user that matches the caller",
  ),
  deny(
    "connect:GetPromptFile",
    "returns a presigned S3 URL to the prompt that AWS says 'can be given to an unauthorized user'",
  ),
  deny(
    "datazone:GetDomainExecutionRoleCredentials",
    "permits obtaining credentials of the DataZone domain execution role (no published response)",
  ),
  deny(
    "datazone:GetEnvironmentCredentials",
    "returns temporary AWS credentials of a DataZone environment's user role, which may write",
  ),
  allow(
    "datazone:ListWarehouseMetadata",
    "lists the Secrets Manager secrets a warehouse connection may use, by name; reading a value takes secretsmanager:GetSecretValue (denied)",
  ),
  allow(
    "ds:DescribeDirectoryDataAccess",
    "returns whether Directory Service Data access is enabled; a status",
  ),
  allow(
    "ec2:DescribeIpamExternalResourceVerificationTokens",
    "verification tokens are values published (DNS TXT, RDAP) to prove ownership of an external resource; they grant no access",
  ),
  allow(
    "ec2:ExportClientVpnClientCertificateRevocationList",
    "returns the Client VPN certificate revocation list, public data",
  ),
  allow(
    "ec2:ExportClientVpnClientConfiguration",
    "returns the Client VPN configuration file: endpoint and CA certificate; clients still authenticate with their own certificate, directory or SAML identity",
  ),
  deny(
    "ec2:ExportVerifiedAccessInstanceClientConfiguration",
    "the exported configuration includes the user trust provider's OAuth 2.0 client secret",
  ),
  allow(
    "ec2:GetPasswordData",
    "returns the Windows administrator password encrypted with the key pair's public key; only the private key's holder can read it; Terraform reads it when get_password_data is set",
    ["aws_instance", "data.aws_instance"],
  ),
  deny(
    "ecr-public:GetAuthorizationToken",
    "returns a public registry authorisation token valid for 12 hours",
    ["data.aws_ecrpublic_authorization_token"],
  ),
  deny(
    "ecr:GetAuthorizationToken",
    "returns a registry authorisation token (a docker login password) valid for 12 hours",
    ["data.aws_ecr_authorization_token"],
  ),
  deny(
    "ecr:GetDownloadUrlForLayer",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (an image layer, whose files may hold secrets)",
  ),
  allow("ecs-mcp:UseMcp", "permission to use the ECS MCP server; it returns no credential itself"),
  deny(
    "eks-auth:AssumeRoleForPodIdentity",
    "exchanges a service account token for temporary AWS credentials of the pod identity's role",
  ),
  allow(
    "elemental-inference:ExportDictionaryEntries",
    "exports dictionary entries (terms); no credential",
  ),
  deny(
    "emr-serverless:GetSessionEndpoint",
    "returns a session endpoint with an authentication token",
  ),
  deny("evs:GetDepotUrl", "returns the depot URL with an authentication token in its path"),
  deny(
    "finspace-api:GetProgrammaticAccessCredentials",
    "returns FinSpace programmatic access credentials",
  ),
  deny(
    "finspace:GetKxConnectionString",
    "returns a signed connection string that connects to a kdb cluster as the caller",
  ),
  allow(
    "frauddetector:GetKMSEncryptionKey",
    "returns the ARN of the KMS key Fraud Detector uses, not key material",
  ),
  deny(
    "freertos:GetEmpPatchUrl",
    "returns a download link to extended-maintenance patches licensed to the account (no published response; may be presigned)",
  ),
  allow(
    "freertos:GetSoftwareURL",
    "returns a download link for FreeRTOS software, which AWS publishes as open source",
  ),
  deny(
    "freertos:GetSoftwareURLForConfiguration",
    "returns a download link to a build of the account's own FreeRTOS configuration (no published response; may be presigned)",
  ),
  deny(
    "gamelift:GetComputeAccess",
    "returns temporary AWS credentials to connect to a fleet's compute with Systems Manager",
  ),
  deny(
    "gamelift:GetComputeAuthToken",
    "returns an authentication token that lets a game server process call GameLift",
  ),
  deny(
    "gamelift:GetGameSessionLogUrl",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (game session logs)",
  ),
  deny(
    "gamelift:GetPlayerConnectionDetails",
    "returns player gateway access tokens that authorise connections to game sessions",
  ),
  deny(
    "gamelift:RequestUploadCredentials",
    "returns temporary AWS credentials to upload game builds",
  ),
  deny(
    "gameliftstreams:GetStreamUrl",
    "returns a shareable stream URL that AWS says to treat as a secret: it starts stream sessions",
  ),
  deny(
    "gameliftstreams:ListStreamUrls",
    "lists stream URLs with their shareable URL values, which AWS says to treat as secrets",
  ),
  deny("geo:DescribeKey", "returns the value of an Amazon Location API key"),
  allow(
    "geo:ListKeys",
    "lists API keys by name, restrictions and dates; the key value is read with geo:DescribeKey (denied)",
  ),
  deny("glue:GetDashboardUrl", "returns a presigned URL to the Spark monitoring dashboard"),
  allow(
    "grafana:ListWorkspaceServiceAccountTokens",
    "lists service account tokens by id, name and dates; AWS documents that it does not return the keys",
    ["aws_grafana_workspace_service_account_token"],
  ),
  deny(
    "greengrass:GetComponentVersionArtifact",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (a component artifact, which may be the account's own code)",
  ),
  deny(
    "groundstation:GetAgentTaskResponseUrl",
    "returns presigned S3 URLs for uploading agent logs: a write capability",
  ),
  allow(
    "iam:GenerateCredentialReport",
    "starts generating the credential report; returns its state",
  ),
  allow(
    "iam:GetAccessKeyLastUsed",
    "returns when, where and with which service an access key was last used; no secret",
  ),
  allow("iam:GetAccountPasswordPolicy", "returns the password policy's rules; no password", [
    "aws_iam_account_password_policy",
  ]),
  allow(
    "iam:GetCredentialReport",
    "returns the credential report: users and the age and use of their passwords, keys and MFA; no secret",
  ),
  allow(
    "iam:GetLoginProfile",
    "returns the user name and the password's creation date; never the password",
    ["aws_iam_user_login_profile"],
  ),
  allow(
    "iam:ListAccessKeys",
    "returns access key ids and status; secret keys are returned only at creation",
    ["aws_iam_access_key"],
  ),
  allow(
    "iam:ListServiceSpecificCredentials",
    "returns service-specific credential ids, user names and status; passwords are returned only at creation or reset",
    ["aws_iam_service_specific_credential"],
  ),
  allow(
    "inspector:GetExclusionsPreview",
    "returns an exclusions preview; the token is the preview's id",
  ),
  deny(
    "invoicing:GetInvoicePDF",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (invoice documents)",
  ),
  allow(
    "iot:GetRegistrationCode",
    "returns the registration code placed in a verification certificate to prove possession of a CA key; it grants no access",
    ["data.aws_iot_registration_code"],
  ),
  allow(
    "iotmanagedintegrations:GetCredentialLocker",
    "returns a credential locker's id, name and date; no credential",
  ),
  allow(
    "iotmanagedintegrations:ListCredentialLockers",
    "lists credential lockers by id, name and date",
  ),
  deny("iq:GetChatToken", "returns a websocket token for a conversation's notifications"),
  deny(
    "ivs:BatchGetStreamKey",
    "returns stream key values: whoever holds one can broadcast to the channel",
  ),
  deny(
    "ivs:GetStreamKey",
    "returns the stream key value: whoever holds it can broadcast to the channel",
    ["data.aws_ivs_stream_key"],
  ),
  allow(
    "ivs:ListStreamKeys",
    "lists stream key ARNs; the values are read with GetStreamKey (denied)",
  ),
  allow(
    "kafka:ListScramSecrets",
    "lists the ARNs of the Secrets Manager secrets associated with the cluster, not their values",
    ["aws_msk_scram_secret_association"],
  ),
  deny(
    "kinesisanalytics:CreateApplicationPresignedUrl",
    "returns a presigned URL to the application's extension; AWS says no further permission is needed to use it",
  ),
  deny(
    "kinesisvideo:GetDASHStreamingSessionURL",
    "returns a URL containing a session token that plays the stream",
  ),
  deny(
    "kinesisvideo:GetHLSStreamingSessionURL",
    "returns a URL containing a session token that plays the stream",
  ),
  allow(
    "kms:GetParametersForImport",
    "returns a wrapping public key and an import token usable only with kms:ImportKeyMaterial (Write); no key material",
  ),
  allow(
    "kms:ListKeyRotations",
    "returns key material ids, states and dates; never the key material",
  ),
  deny(
    "lakeformation:GetTemporaryGluePartitionCredentials",
    "returns temporary AWS credentials scoped to the partition's S3 data",
  ),
  deny(
    "lakeformation:GetTemporaryGlueTableCredentials",
    "returns temporary AWS credentials scoped to the table's S3 data",
  ),
  allow(
    "lambda:GetFunctionUrlConfig",
    "returns the function URL's address and auth type; the URL is an endpoint, its access is set by AuthType",
    ["aws_lambda_function_url"],
  ),
  allow("lambda:ListFunctionUrlConfigs", "lists function URL addresses and auth types"),
  deny(
    "lex:GetTestExecutionArtifactsUrl",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (test execution results)",
  ),
  deny(
    "license-manager:GetAccessToken",
    "returns a temporary access token for sts:AssumeRoleWithWebIdentity",
  ),
  allow(
    "license-manager:ListTokens",
    "lists token ids, types, expiry and role ARNs; no token value",
  ),
  allow(
    "lightsail:GetBucketAccessKeys",
    "returns access key ids and status; AWS documents that it does not return the secret access key",
    ["aws_lightsail_bucket_access_key"],
  ),
  deny("logs:Unmask", "returns log events with the values a data protection policy masks"),
  deny("m2:GetSignedBluinsightsUrl", "returns a signed single sign-on URL into AWS Blu Insights"),
  deny(
    "macie2:GetSensitiveDataOccurrences",
    "returns samples of the sensitive data Macie found in S3",
  ),
  allow(
    "macie2:GetSensitiveDataOccurrencesAvailability",
    "returns whether occurrences can be retrieved, and why not; no data",
  ),
  allow(
    "managedblockchain-query:BatchGetTokenBalance",
    "blockchain token balances: public ledger data, not authentication tokens",
  ),
  allow(
    "managedblockchain-query:GetTokenBalance",
    "a blockchain token balance: public ledger data",
  ),
  allow(
    "managedblockchain-query:ListTokenBalances",
    "blockchain token balances: public ledger data",
  ),
  deny(
    "mechanicalturk:GetFileUploadURL",
    "returns a temporary URL to a file a worker uploaded as an answer",
  ),
  deny(
    "notifications:AccessSensitiveEvents",
    "grants access to the sensitive fields of notification events, which are otherwise withheld",
  ),
  allow(
    "opsworks-cm:DescribeNodeAssociationStatus",
    "returns the status of a node association; the token is the association's id",
  ),
  deny(
    "opsworks-cm:ExportServerEngineAttribute",
    "exports the user data script that joins nodes to the Chef or Puppet server: node enrolment material",
  ),
  allow(
    "organizations:DescribeOrganization",
    "returns the organisation's id, ARN, feature set and management account; no credential",
    ["data.aws_organizations_organization"],
  ),
  deny(
    "panorama:GetWebSocketURL",
    "generates a WebSocket endpoint for communicating with Panorama; no published response, and a generated endpoint may carry a session",
  ),
  allow(
    "payment-cryptography:GetParametersForExport",
    "returns a signing certificate and an export token usable only with payment-cryptography:ExportKey; no key",
  ),
  allow(
    "payment-cryptography:GetParametersForImport",
    "returns a wrapping certificate and an import token usable only with payment-cryptography:ImportKey; no key",
  ),
  allow(
    "pca-connector-scep:GetChallengeMetadata",
    "returns a challenge's ARN and dates; the password is read with GetChallengePassword (denied)",
  ),
  deny(
    "pca-connector-scep:GetChallengePassword",
    "returns the SCEP challenge password that authorises certificate requests",
  ),
  allow("pca-connector-scep:ListChallengeMetadata", "lists challenge ARNs and dates; no password"),
  allow(
    "pricing:GetPriceListFileUrl",
    "returns the address of a price list file, AWS's public pricing data",
  ),
  deny(
    "profile:GetUploadJobPath",
    "returns a presigned upload URL and the plaintext data key that encrypts the upload",
  ),
  deny(
    "q:ListScimAccessTokens",
    "lists the SCIM access tokens of a Q Developer profile; no published response, and a SCIM token provisions users",
  ),
  allow(
    "qbusiness:GetDataAccessor",
    "returns a data accessor's configuration (ISV role ARN, actions, authentication type); no credential",
  ),
  allow("qbusiness:ListDataAccessors", "lists data accessors' configuration; no credential"),
  allow(
    "quicksight:DescribeOAuthClientApplication",
    "returns an OAuth client application's endpoints and scopes, not its client secret",
  ),
  deny(
    "quicksight:GetAnonymousUserEmbedUrl",
    "returns an embed URL that opens a dashboard session for an anonymous user",
  ),
  deny(
    "quicksight:GetAuthCode",
    "returns an auth code representing a QuickSight user, which is exchanged for a session",
  ),
  deny(
    "quicksight:GetDashboardEmbedUrl",
    "returns a single-use embed URL with an authorisation code (bearer token) that opens a dashboard session",
  ),
  deny(
    "quicksight:GetSessionEmbedUrl",
    "returns a single-use URL with an authorisation code that opens a QuickSight console session",
  ),
  allow(
    "quicksight:ListOAuthClientApplications",
    "lists OAuth client applications by id, name and type; no secret",
  ),
  deny(
    "redshift-serverless:GetIdentityCenterAuthToken",
    "returns an Identity Center authentication token for Redshift Serverless workgroups",
  ),
  deny(
    "redshift:GetIdentityCenterAuthToken",
    "returns an authentication token that carries the caller's Identity Center identity to Redshift clusters",
  ),
  deny(
    "rhelkb:GetRhelURL",
    "grants access to the Red Hat Knowledgebase portal through a generated URL; no published response, and it may be a signed sign-in link",
  ),
  deny(
    "route53globalresolver:GetAccessToken",
    "returns the value of a Global Resolver access token",
  ),
  allow(
    "route53globalresolver:ListAccessTokens",
    "lists access tokens by id, name, status and dates; no value",
  ),
  deny(
    "s3:GetDataAccess",
    "vends temporary STS credentials for S3 Access Grants (read, write or both, up to 12 hours)",
  ),
  deny(
    "sagemaker-mlflow:GetDownloadURIForModelVersionArtifacts",
    "returns a URI to download a model version's artifacts (no published response; may be presigned)",
  ),
  deny(
    "sagemaker:CallWithBearerToken",
    "permits SageMaker calls authenticated with a bearer token instead of SigV4; a plan needs none",
  ),
  deny(
    "sagemaker:CreateHubContentPresignedUrls",
    "returns presigned S3 URLs to download model artifacts",
  ),
  allow(
    "schemas:ExportSchema",
    "exports a schema document (OpenAPI or JSON Schema); no credential",
  ),
  deny("secretsmanager:BatchGetSecretValue", "returns decrypted secret values", [
    "aws_secretsmanager_secret_version",
    "data.aws_secretsmanager_secret_version",
  ]),
  allow(
    "secretsmanager:DescribeSecret",
    "returns a secret's metadata; AWS documents that it does not include the secret value",
    ["aws_secretsmanager_secret"],
  ),
  allow(
    "secretsmanager:GetRandomPassword",
    "generates a new random string; it reads nothing stored",
    ["data.aws_secretsmanager_random_password"],
  ),
  allow("secretsmanager:GetResourcePolicy", "returns the secret's resource policy; no value", [
    "aws_secretsmanager_secret_policy",
  ]),
  deny("secretsmanager:GetSecretValue", "returns the decrypted secret value", [
    "aws_secretsmanager_secret_version",
    "data.aws_secretsmanager_secret_version",
  ]),
  allow("secretsmanager:ListSecretVersionIds", "lists version ids, stages and dates; no value", [
    "data.aws_secretsmanager_secret_versions",
  ]),
  allow("secretsmanager:ListSecrets", "lists secrets' metadata; no value", [
    "data.aws_secretsmanager_secrets",
  ]),
  deny(
    "security-ir:GetCaseAttachmentDownloadUrl",
    "returns a presigned URL: whoever holds it reads (or writes) the object until it expires, with no AWS credentials (a security incident case attachment)",
  ),
  allow(
    "ses:GetIdentityVerificationAttributes",
    "returns verification status and the domain verification token, a value published in DNS that grants no access",
    ["aws_ses_domain_identity"],
  ),
  deny(
    "signin:Authenticate",
    "authenticates to the AWS Management Console, which yields a console session",
  ),
  deny(
    "signin:AuthorizeOAuth2Access",
    "obtains an OAuth 2.0 authorisation code that is exchanged for AWS credentials",
  ),
  deny(
    "signin:CreateOAuth2Token",
    "exchanges a code or refresh token for an access token carrying temporary AWS credentials, and a refresh token",
  ),
  allow(
    "signin:IntrospectOAuth2Token",
    "inspects a token the caller already holds: its state and metadata; it issues nothing",
  ),
  deny(
    "snowball:GetJobManifest",
    "returns a presigned URL to the job manifest, which with the unlock code unlocks the Snow device",
  ),
  deny(
    "snowball:GetJobUnlockCode",
    "returns the unlock code that, with the manifest, unlocks the Snow device",
  ),
  deny("snowball:GetSoftwareUpdates", "returns a presigned URL to the device's update file"),
  allow(
    "sqlworkbench:ExportNotebook",
    "exports a notebook's SQL and Markdown cells; connection credentials are not part of a notebook",
  ),
  allow("sqs:GetQueueUrl", "returns the queue's URL, an address; access is set by policies", [
    "data.aws_sqs_queue",
  ]),
  deny("ssm:GetAccessToken", "returns temporary AWS credentials for just-in-time node access"),
  deny(
    "sso-directory:ListBearerTokens",
    "lists the SCIM bearer tokens of a provisioning tenant; console-only, no published response, and a SCIM token provisions users",
  ),
  allow(
    "sso:DescribeTrustedTokenIssuer",
    "returns a trusted token issuer's configuration (issuer URL, claim mapping); no token",
    ["aws_ssoadmin_trusted_token_issuer"],
  ),
  allow("sso:ListTrustedTokenIssuers", "lists trusted token issuers by ARN, name and type"),
  deny(
    "states:RevealSecrets",
    "reveals the connection credentials Step Functions otherwise omits from a TestState result",
  ),
  deny("storagegateway:DescribeChapCredentials", "returns the CHAP secrets of an iSCSI target"),
  allow("sts:GetAccessKeyInfo", "returns the account id that owns an access key id; no secret"),
  allow(
    "sts:GetCallerIdentity",
    "returns the caller's own ARN and account; needs no permission and cannot be denied (AWS: an explicit Deny does not stop it); the Terraform AWS provider calls it when it starts",
    ["data.aws_caller_identity"],
  ),
  deny(
    "sts:GetServiceBearerToken",
    "mints an STS bearer token for the caller (codeartifact:GetAuthorizationToken requires it)",
  ),
  deny(
    "sts:GetSessionToken",
    "returns temporary AWS credentials (access key, secret key, session token)",
  ),
  deny("support:DownloadAttachment", "returns a presigned URL to a support case attachment"),
  allow(
    "supportapp:GetSlackOauthParameters",
    "returns the parameters of Slack's consent page; the code is redeemed only with supportapp:RedeemSlackOauthCode (Write)",
  ),
  deny(
    "tax:GetDocumentUploadUrl",
    "returns a generated upload URL: a write capability for tax documents",
  ),
  deny(
    "transform-custom:GetAnalysisArtifactDownloadUrl",
    "returns a download URL to an analysis artifact (no published response; may be presigned)",
  ),
  deny(
    "transform-custom:GetTransformationPackageUrl",
    "returns a download URL to a transformation package (no published response; may be presigned)",
  ),
  deny(
    "transform:GetWebAppUrl",
    "returns the AWS Transform web application URL; no published response, and a generated URL may carry a sign-in session",
  ),
  allow(
    "verifiedpermissions:IsAuthorizedWithToken",
    "evaluates a token the caller supplies and returns allow or deny; it issues nothing",
  ),
  allow(
    "waf-regional:GetChangeToken",
    "returns a change token, which only orders WAF Classic updates; no authority",
  ),
  allow("waf-regional:GetChangeTokenStatus", "returns a change token's status"),
  allow(
    "waf:GetChangeToken",
    "returns a change token, which only orders WAF Classic updates; no authority",
  ),
  allow("waf:GetChangeTokenStatus", "returns a change token's status"),
  deny(
    "wafv2:GenerateMobileSdkReleaseUrl",
    "returns a presigned download URL of the WAF mobile SDK, which is not generally available",
  ),
  deny(
    "wafv2:GetDecryptedAPIKey",
    "AWS documents it as returning the CAPTCHA API key in decrypted form",
  ),
  allow(
    "wafv2:ListAPIKeys",
    "returns the encrypted CAPTCHA API keys, which AWS says to copy into client JavaScript: public by design, no AWS access",
    ["aws_wafv2_api_key"],
  ),
  allow("wellarchitected:ExportLens", "exports a custom lens as JSON; no credential"),
  deny("wisdom:GetContent", "returns content with a presigned URL to download it"),
  allow(
    "workmail:GetPersonalAccessTokenMetadata",
    "returns a personal access token's metadata (name, scopes, dates); no token value",
  ),
  allow(
    "workmail:ListPersonalAccessTokens",
    "lists personal access tokens' metadata; no token value",
  ),
];
