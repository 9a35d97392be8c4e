/**
 * What the audit relies on in each AWS answer it reads, as zod schemas, and the middleware that
 * holds every answer to them inside the SDK's retry loop.
 *
 * The SDK turns an empty or an HTML body with HTTP 200 into `{}`, and a list field that is not
 * there into `undefined`: read naively, a proxy's error page is an account with no roles and a
 * trail that is not logging. Here an answer is accepted only when it has every field the audit
 * reads (list fields, `IsTruncated` with its `Marker`, the documents it parses, the flags it
 * judges); anything else is a {@link MalformedResponseError}, which the SDK's retry strategy
 * retries like a transient error and the audit then reports as a read failure of that resource,
 * never as an empty result.
 *
 * Two middlewares per client, both inside the retry middleware (step `finalizeRequest`): one
 * before the deserializer sees the raw body (empty, or an HTML page), one after it sees the parsed
 * output (the shape) and turns the deserializer's own parse errors (cut-off XML or JSON) into the
 * same error.
 */
import type {
  DeserializeHandlerArguments,
  DeserializeHandlerOutput,
  DeserializeMiddleware,
  MiddlewareStack,
} from "@smithy/types";
import { z } from "zod";
import { MALFORMED_RESPONSE } from "../../lib/audit/failure-class";
import { decodePolicyText, policyTextProblem } from "../../lib/audit/policy-text";

/** An answer that is not the API's, or lacks what the audit reads. Retryable. */
export class MalformedResponseError extends Error {
  override readonly name = MALFORMED_RESPONSE;
  /** Tells the SDK's retry strategy to retry it (as a transient error, not as throttling). */
  readonly $retryable = { throttling: false };
  /** Filled in by the SDK's retry middleware (`attempts`). */
  readonly $metadata: { httpStatusCode?: number; attempts?: number };

  constructor(operation: string, problem: string, httpStatusCode?: number) {
    super(`the ${operation} answer ${problem}`);
    this.$metadata = httpStatusCode !== undefined ? { httpStatusCode } : {};
  }
}

const text = z.string().min(1);

/**
 * A policy document as IAM (URL-encoded), S3 or KMS (plain) return it; the output is its JSON
 * text. Anything that is not JSON of an object is an issue.
 */
const policyDocument = z.string().transform((raw, ctx) => {
  const json = decodePolicyText(raw);
  const problem = policyTextProblem(json);
  if (problem !== undefined) {
    ctx.addIssue({ code: "custom", message: `the policy document ${problem}` });
    return z.NEVER;
  }
  return json;
});

const tags = z.array(z.object({ Key: z.string(), Value: z.string() }));

/** The pagination fields of IAM's List* answers: `IsTruncated` absent means not truncated. */
const pagination = { IsTruncated: z.boolean().optional(), Marker: z.string().optional() };

/** A page whose `IsTruncated` is true must carry the `Marker` of the next one. */
const paged = <T extends { IsTruncated?: boolean | undefined; Marker?: string | undefined }>(
  schema: z.ZodType<T>,
) =>
  schema.refine((page) => page.IsTruncated !== true || (page.Marker ?? "") !== "", {
    message: "says IsTruncated but gives no Marker for the next page",
    path: ["Marker"],
  });

const listedRole = z.object({
  RoleName: text,
  Path: text,
  Arn: text,
  RoleId: text,
  AssumeRolePolicyDocument: policyDocument,
  MaxSessionDuration: z.number().optional(),
  Description: z.string().optional(),
});

const role = listedRole.extend({
  PermissionsBoundary: z.object({ PermissionsBoundaryArn: text }).optional(),
  Tags: tags.optional(),
});

const attachedPolicies = paged(
  z.object({ AttachedPolicies: z.array(z.object({ PolicyArn: text })), ...pagination }),
);
const policyNames = paged(z.object({ PolicyNames: z.array(text), ...pagination }));
const inlinePolicy = z.object({ PolicyDocument: policyDocument });
const stringList = z.array(z.string()).optional();

/**
 * Every operation the audit calls, by the SDK's command name, with what it reads from the answer.
 * The middleware refuses an operation that is not here: a new read must declare its shape.
 */
export const RESPONSE_SHAPES = {
  // STS
  AssumeRoleCommand: z.object({
    Credentials: z.object({
      AccessKeyId: text,
      SecretAccessKey: text,
      SessionToken: text,
      Expiration: z.date().optional(),
    }),
  }),
  GetCallerIdentityCommand: z.object({ Account: z.string().regex(/^\d{12}$/), Arn: text }),
  // IAM: roles
  GetRoleCommand: z.object({ Role: role }),
  ListRolesCommand: paged(z.object({ Roles: z.array(listedRole), ...pagination })),
  ListRolePoliciesCommand: policyNames,
  GetRolePolicyCommand: inlinePolicy,
  ListAttachedRolePoliciesCommand: attachedPolicies,
  // IAM: users
  GetUserCommand: z.object({
    User: z.object({ UserName: text, Path: text, Arn: text, Tags: tags.optional() }),
  }),
  ListUserPoliciesCommand: policyNames,
  GetUserPolicyCommand: inlinePolicy,
  ListAttachedUserPoliciesCommand: attachedPolicies,
  ListGroupsForUserCommand: paged(
    z.object({ Groups: z.array(z.object({ GroupName: text })), ...pagination }),
  ),
  GetLoginProfileCommand: z.object({ LoginProfile: z.object({ UserName: z.string().optional() }) }),
  ListAccessKeysCommand: paged(
    z.object({
      AccessKeyMetadata: z.array(
        z.object({ AccessKeyId: text, Status: text, CreateDate: z.date() }),
      ),
      ...pagination,
    }),
  ),
  ListSSHPublicKeysCommand: paged(
    z.object({ SSHPublicKeys: z.array(z.object({ SSHPublicKeyId: text })), ...pagination }),
  ),
  ListSigningCertificatesCommand: paged(
    z.object({ Certificates: z.array(z.object({ CertificateId: text })), ...pagination }),
  ),
  // IAM: customer managed policies and the OIDC provider
  GetPolicyCommand: z.object({
    Policy: z.object({ PolicyName: text, Path: text, DefaultVersionId: text }),
  }),
  GetPolicyVersionCommand: z.object({ PolicyVersion: z.object({ Document: policyDocument }) }),
  GetOpenIDConnectProviderCommand: z.object({ Url: text, ClientIDList: z.array(z.string()) }),
  // KMS
  DescribeKeyCommand: z.object({
    KeyMetadata: z.object({ KeyId: text, Arn: text, KeyState: z.string().optional() }),
  }),
  GetKeyRotationStatusCommand: z.object({ KeyRotationEnabled: z.boolean() }),
  GetKeyPolicyCommand: z.object({ Policy: policyDocument }),
  // CloudTrail
  GetTrailCommand: z.object({
    Trail: z.object({
      Name: text,
      TrailARN: text,
      S3BucketName: z.string().optional(),
      S3KeyPrefix: z.string().optional(),
      IsMultiRegionTrail: z.boolean(),
      LogFileValidationEnabled: z.boolean(),
      IncludeGlobalServiceEvents: z.boolean(),
      KmsKeyId: z.string().optional(),
    }),
  }),
  GetTrailStatusCommand: z.object({ IsLogging: z.boolean() }),
  GetEventSelectorsCommand: z
    .object({
      EventSelectors: z
        .array(
          z.object({
            ReadWriteType: z.string().optional(),
            IncludeManagementEvents: z.boolean().optional(),
            DataResources: z
              .array(z.object({ Type: text, Values: z.array(z.string()) }))
              .optional(),
          }),
        )
        .optional(),
      AdvancedEventSelectors: z
        .array(
          z.object({
            Name: z.string().optional(),
            FieldSelectors: z.array(
              z.object({
                Field: text,
                Equals: stringList,
                StartsWith: stringList,
                EndsWith: stringList,
                NotEquals: stringList,
                NotStartsWith: stringList,
                NotEndsWith: stringList,
              }),
            ),
          }),
        )
        .optional(),
    })
    .refine((out) => out.EventSelectors !== undefined || out.AdvancedEventSelectors !== undefined, {
      message: "has neither EventSelectors nor AdvancedEventSelectors",
    }),
  // DynamoDB
  DescribeTableCommand: z.object({
    Table: z.object({
      TableName: text,
      TableArn: text,
      SSEDescription: z
        .object({ Status: z.string().optional(), KMSMasterKeyArn: z.string().optional() })
        .optional(),
      DeletionProtectionEnabled: z.boolean(),
    }),
  }),
  DescribeContinuousBackupsCommand: z.object({
    ContinuousBackupsDescription: z.object({
      ContinuousBackupsStatus: text,
      PointInTimeRecoveryDescription: z.object({ PointInTimeRecoveryStatus: text }),
    }),
  }),
  // S3: an answer without a setting (versioning never enabled, no logging) is a non-empty XML
  // document without the field, which the raw-body check tells from an empty body.
  GetBucketVersioningCommand: z.object({ Status: z.string().optional() }),
  GetBucketEncryptionCommand: z.object({
    ServerSideEncryptionConfiguration: z.object({
      Rules: z
        .array(
          z.object({
            ApplyServerSideEncryptionByDefault: z
              .object({ SSEAlgorithm: text, KMSMasterKeyID: z.string().optional() })
              .optional(),
            BucketKeyEnabled: z.boolean().optional(),
          }),
        )
        .min(1),
    }),
  }),
  GetPublicAccessBlockCommand: z.object({
    PublicAccessBlockConfiguration: z.object({
      BlockPublicAcls: z.boolean(),
      IgnorePublicAcls: z.boolean(),
      BlockPublicPolicy: z.boolean(),
      RestrictPublicBuckets: z.boolean(),
    }),
  }),
  GetBucketOwnershipControlsCommand: z.object({
    OwnershipControls: z.object({ Rules: z.array(z.object({ ObjectOwnership: text })).min(1) }),
  }),
  GetBucketPolicyCommand: z.object({ Policy: policyDocument }),
  GetBucketLifecycleConfigurationCommand: z.object({
    Rules: z
      .array(
        z.object({
          ID: z.string().optional(),
          Status: text,
          Prefix: z.string().optional(),
          Filter: z
            .object({
              Prefix: z.string().optional(),
              And: z.object({ Prefix: z.string().optional() }).optional(),
            })
            .optional(),
          Expiration: z
            .object({ Days: z.number().optional(), Date: z.date().optional() })
            .optional(),
          NoncurrentVersionExpiration: z
            .object({ NoncurrentDays: z.number().optional() })
            .optional(),
          Transitions: z.array(z.object({ StorageClass: z.string().optional() })).optional(),
        }),
      )
      .min(1),
  }),
  GetBucketLoggingCommand: z.object({
    LoggingEnabled: z
      .object({ TargetBucket: text, TargetPrefix: z.string().optional() })
      .optional(),
  }),
} as const;

/** An operation the audit reads, by the SDK's command name. */
export type Operation = keyof typeof RESPONSE_SHAPES;

/** The checked answer of `K`. */
export type Answer<K extends Operation> = z.output<(typeof RESPONSE_SHAPES)[K]>;

/** `iam:ListRoles` from the SDK's names (`IAMClient`, `ListRolesCommand`). */
export function operationLabel(clientName: string | undefined, commandName: string): string {
  const service = (clientName ?? "").replace(/Client$/, "").toLowerCase();
  const action = commandName.replace(/Command$/, "");
  return service === "" ? action : `${service}:${action}`;
}

/** The issues of a failed parse, in one line: `Roles: expected array, received undefined`. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join(".");
    const message = issue.message.replace(/^Invalid input: /, "");
    return path === "" ? message : `${path}: ${message}`;
  });
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
  return `${shown.join("; ")}${more}`;
}

/**
 * Holds `output` to the shape of `operation`: its checked answer, or a
 * {@link MalformedResponseError} naming what is missing.
 */
export function checkAnswer<K extends Operation>(
  operation: K,
  output: unknown,
  label: string = operationLabel(undefined, operation),
): Answer<K> {
  const parsed = RESPONSE_SHAPES[operation].safeParse(output);
  if (!parsed.success) {
    throw new MalformedResponseError(
      label,
      `lacks what the audit reads (${describeIssues(parsed.error.issues)})`,
      200,
    );
  }
  return parsed.data as Answer<K>;
}

/** Why a successful answer's raw body is not an AWS API answer, or `undefined`. */
export function rawBodyProblem(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.subarray(0, 512)).toString("utf8").trimStart().toLowerCase();
  if (head === "") return "is empty (HTTP 2xx with no body)";
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) {
    return "is an HTML page, not the API's XML or JSON";
  }
  return undefined;
}

interface RawResponse {
  statusCode?: unknown;
  body?: unknown;
}

async function collectBody(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body === undefined || body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
  }
  return Buffer.concat(chunks);
}

type AnyArgs = DeserializeHandlerArguments<object>;
type AnyOutput = DeserializeHandlerOutput<object>;

/** Reads a 2xx body before the deserializer does, and refuses an empty body or an HTML page. */
const rawBodyCheck: DeserializeMiddleware<object, object> =
  (next, context) =>
  async (args: AnyArgs): Promise<AnyOutput> => {
    const result = await next(args);
    const response = result.response as RawResponse | undefined;
    const status = response?.statusCode;
    if (response === undefined || typeof status !== "number" || status < 200 || status >= 300) {
      return result;
    }
    const body = await collectBody(response.body);
    response.body = body;
    const problem = rawBodyProblem(body);
    if (problem !== undefined) {
      throw new MalformedResponseError(
        operationLabel(context.clientName, context.commandName ?? "?"),
        problem,
        status,
      );
    }
    return result;
  };

/**
 * A parse error of the SDK's deserializer on a successful answer: it carries the raw response,
 * no `$fault` (service errors have one) and a 2xx status. An error answer that does not parse
 * stays the SDK's error: its status classifies it (403 access, 5xx server).
 */
function isParseError(
  error: unknown,
): error is Error & { $metadata?: { httpStatusCode?: number } } {
  if (!(error instanceof Error)) return false;
  const e = error as {
    $response?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = e.$metadata?.httpStatusCode;
  return (
    e.$response !== undefined &&
    e.$fault === undefined &&
    typeof status === "number" &&
    status >= 200 &&
    status < 300
  );
}

/** Holds the parsed output to its shape; turns the deserializer's parse errors into the same. */
const shapeCheck: DeserializeMiddleware<object, object> =
  (next, context) =>
  async (args: AnyArgs): Promise<AnyOutput> => {
    const commandName = context.commandName ?? "?";
    const label = operationLabel(context.clientName, commandName);
    let result: AnyOutput;
    try {
      result = await next(args);
    } catch (error) {
      if (isParseError(error)) {
        const firstLine = error.message.split("\n")[0] ?? "";
        throw new MalformedResponseError(
          label,
          `could not be parsed (${firstLine})`,
          error.$metadata?.httpStatusCode,
        );
      }
      throw error;
    }
    if (!(commandName in RESPONSE_SHAPES)) {
      throw new Error(`bug: the audit reads ${label} without a declared response shape`);
    }
    checkAnswer(commandName as Operation, result.output, label);
    return result;
  };

/**
 * Adds both checks to a client the audit reads with. Applies to every command sent through it;
 * a command without a declared shape fails.
 */
export function checkResponses<I extends object, O extends object>(client: {
  readonly middlewareStack: MiddlewareStack<I, O>;
}): void {
  // The checks read only the response and the output, whatever the client's types.
  const stack = client.middlewareStack;
  stack.add(rawBodyCheck as unknown as DeserializeMiddleware<I, O>, {
    step: "deserialize",
    priority: "low",
    name: "tfBootstrapRawBodyCheck",
    override: true,
  });
  stack.add(shapeCheck as unknown as DeserializeMiddleware<I, O>, {
    step: "deserialize",
    priority: "high",
    name: "tfBootstrapShapeCheck",
    override: true,
  });
}
