/**
 * The patterns of the credential-read detector (see `./credential-reads`): what in an action's
 * name or in its catalog description suggests that its answer is a credential, a token, a key, a
 * password, a secret value, decrypted data, a presigned URL, an authorisation code, a connection
 * string with secrets, or access to data.
 *
 * The patterns are tuned to catch the class, not to be exact: they over-match (pagination and
 * change tokens, counts of LLM tokens, public keys, plain queue URLs) and the reviewed table
 * sorts what they flag. Each one says why it is here. Patterns that flag nothing in the pinned
 * catalog are kept when they name a kind of credential AWS may add under that name.
 */

/** One detector pattern. */
export interface CredentialReadPattern {
  /** Stable id, named in detections and in the review hint (`name:Token`, `description:token`). */
  readonly id: string;
  /** What it matches: the action's name (after `service:`) or its catalog description. */
  readonly target: "name" | "description";
  readonly pattern: RegExp;
  /** Why a match suggests a credential read, with an action it catches. */
  readonly why: string;
}

function byName(id: string, pattern: RegExp, why: string): CredentialReadPattern {
  return { id: `name:${id}`, target: "name", pattern, why };
}

function byDescription(id: string, pattern: RegExp, why: string): CredentialReadPattern {
  return { id: `description:${id}`, target: "description", pattern, why };
}

/**
 * Patterns on the action name. Names are CamelCase (`GetOpenIdToken`), so the patterns are case
 * sensitive and match word parts as AWS capitalises them.
 */
export const NAME_PATTERNS: readonly CredentialReadPattern[] = [
  byName(
    "Token",
    /Token/,
    "session, OpenID, bearer and authorisation tokens are named so (sts:GetSessionToken, " +
      "ecr:GetAuthorizationToken, cognito-identity:GetOpenIdToken); also flags change tokens " +
      "and LLM token counts",
  ),
  byName(
    "Credential",
    /Credential/,
    "actions that hand out or list credentials say so " +
      "(lakeformation:GetTemporaryGlueTableCredentials, cognito-identity:GetCredentialsForIdentity)",
  ),
  byName("Password", /Password/, "passwords (pca-connector-scep:GetChallengePassword)"),
  byName("Secret", /Secret/, "secret values and their metadata (secretsmanager:GetSecretValue)"),
  byName(
    "ApiKey",
    /Api[Kk]ey|APIKey/,
    "API keys, in both spellings (wafv2:GetDecryptedAPIKey, bedrock-agentcore:GetResourceApiKey)",
  ),
  byName("AccessKey", /AccessKey/, "AWS access keys and their metadata (iam:ListAccessKeys)"),
  byName(
    "DataAccess",
    /DataAccess/,
    "grants of data access; s3:GetDataAccess vends STS credentials for S3 Access Grants",
  ),
  byName("Decrypt", /Decrypt/, "decrypted values (wafv2:GetDecryptedAPIKey)"),
  byName("PrivateKey", /PrivateKey/, "private keys of certificates and key pairs"),
  byName("Passphrase", /Passphrase/, "passphrases that protect keys"),
  byName("Plaintext", /Plain[Tt]ext/, "plaintext of encrypted data"),
  byName("Unmask", /^Unmask/, "data a masking policy hides (logs:Unmask)"),
  byName("Reveal", /^Reveal/, "data a service otherwise omits (states:RevealSecrets)"),
  byName("Presigned", /Pre[Ss]igned/, "presigned URLs, which carry the signer's authority"),
  byName(
    "Code",
    /(?:Auth|Authorization|Unlock|Registration|Verification|Activation)Code/,
    "codes that are exchanged for tokens or that unlock something " +
      "(quicksight:GetAuthCode, snowball:GetJobUnlockCode)",
  ),
  byName(
    "ConnectionString",
    /ConnectionString/,
    "connection strings, which may embed credentials (finspace:GetKxConnectionString)",
  ),
  byName(
    "Challenge",
    /Challenge/,
    "challenge passwords that authorise certificate requests (pca-connector-scep)",
  ),
  byName("Bearer", /Bearer/, "bearer tokens and the permission to use them"),
  byName("SigningKey", /SigningKey/, "keys that sign requests or tokens"),
  byName(
    "Assume",
    /^Assume/,
    "exchanges that return role credentials (eks-auth:AssumeRoleForPodIdentity)",
  ),
  byName(
    "Url",
    /Url|URL|Uri(?![a-z])|URI/,
    "URLs a service generates are often presigned or carry a session token " +
      "(quicksight:GetDashboardEmbedUrl, kinesisvideo:GetHLSStreamingSessionURL); also flags " +
      "plain addresses such as sqs:GetQueueUrl",
  ),
  byName(
    "Export",
    /^Export/,
    "an export hands out a whole artifact, which may carry keys " +
      "(acm:ExportCertificate returns the private key)",
  ),
  byName("StreamKey", /StreamKey/, "stream keys let anyone who holds them broadcast (ivs)"),
  byName("OAuth", /OAuth|Oauth/, "OAuth flows hand out authorisation codes and tokens"),
  byName("Authenticate", /^Authenticate/, "authentication that yields a session"),
  byName("Sensitive", /Sensitive/, "sensitive data itself (macie2:GetSensitiveDataOccurrences)"),
  byName(
    "Use",
    /^Use[A-Z]/,
    "Use* actions spend a credential or a grant a service holds for the caller " +
      "(codeconnections:UseConnection calls the repository provider with the connection's token)",
  ),
  byName("Jwt", /Jwt|JWT/, "JSON Web Tokens, bearer credentials of OIDC"),
  byName("Cookie", /Cookie/, "session and signed cookies (CloudFront signs some)"),
  byName("Otp", /Otp(?![a-z])|OTP/, "one-time passwords and their seeds"),
  byName("Kerberos", /Kerberos/, "Kerberos tickets and keytabs"),
];

/** Patterns on the catalog description ("Grants permission to ..."), case-insensitive. */
export const DESCRIPTION_PATTERNS: readonly CredentialReadPattern[] = [
  byDescription(
    "credential",
    /credential/i,
    "credentials, temporary or not (gamelift:GetComputeAccess)",
  ),
  byDescription("password", /password/i, "passwords (ec2:GetPasswordData)"),
  byDescription(
    "secret",
    /secret/i,
    "secret values (geo:DescribeKey returns a key and its secret)",
  ),
  byDescription(
    "token",
    /(?<!pagination )\btokens?\b/i,
    "any token: access, authentication, authorisation, bearer, session and security tokens, and " +
      "tokens a description calls just 'a token' (ecr:GetAuthorizationToken); pagination tokens " +
      "are left out, as descriptions that explain paging mention them",
  ),
  byDescription("apiKey", /\bapi[- ]?keys?\b/i, "API keys (geo:DescribeKey returns one)"),
  byDescription("privateKey", /private key/i, "private keys, and the public keys they pair with"),
  byDescription("decrypt", /decrypt/i, "decrypted values (secretsmanager:GetSecretValue)"),
  byDescription("plaintext", /plain ?text/i, "plaintext of encrypted data, data keys included"),
  byDescription(
    "presigned",
    /pre-?signed|\bsigned (?:url|uri|link)/i,
    "presigned or signed URLs, which carry the signer's authority",
  ),
  byDescription(
    "connectionString",
    /connection string/i,
    "connection strings, which may embed credentials",
  ),
  byDescription("unmask", /unmask/i, "masked data in the clear (logs:Unmask)"),
  byDescription("reveal", /\breveal/i, "hidden data revealed (states:RevealSecrets)"),
  byDescription(
    "temporary",
    /temporary\b[^.]*\b(?:credentials?|keys?|url|uri|tokens?|passwords?)\b/i,
    "temporary credentials, keys, URLs and tokens (eks-auth:AssumeRoleForPodIdentity)",
  ),
  byDescription("keyMaterial", /key material/i, "cryptographic key material"),
  byDescription("streamKey", /stream keys?/i, "stream keys (ivs)"),
  byDescription(
    "authCode",
    /\b(?:auth|authorization|oauth) code/i,
    "authorisation codes, which are exchanged for tokens",
  ),
  byDescription("encryptionKey", /\b(?:encryption|data) key\b/i, "encryption and data keys"),
  byDescription("oneTime", /one-time (?:password|passcode|code)/i, "one-time passwords and codes"),
];

/** Every pattern: {@link NAME_PATTERNS}, then {@link DESCRIPTION_PATTERNS}. */
export const CREDENTIAL_READ_PATTERNS: readonly CredentialReadPattern[] = [
  ...NAME_PATTERNS,
  ...DESCRIPTION_PATTERNS,
];
