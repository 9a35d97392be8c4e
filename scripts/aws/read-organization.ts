/**
 * Reads an AWS Organizations organization (AWS SDK v3): its id, its management account, and
 * every account with the organizational unit it sits in. Runs with the caller's credentials,
 * which must be those of the management account or of a delegated administrator for
 * Organizations (`organizations:Describe*`, `organizations:List*`).
 *
 * Every response is checked for the fields the reader relies on: a reply without its list is a
 * read failure, never an empty organization.
 */
import {
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from "@aws-sdk/client-organizations";
import type { OrgAccount, OrgSnapshot } from "../../lib/org/model";

/** Where and as whom the organization is read. */
export interface ReadOrganizationOptions {
  /** The stack's partition: decides the Organizations endpoint's region. Default: aws. */
  readonly partition?: string;
  /** Test/dev only: an emulator's URL. */
  readonly endpoint?: string;
  /** The caller's credentials; default: the SDK's default chain. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/** The organization, or why it could not be read. */
export type ReadOrganizationResult =
  | { readonly ok: true; readonly snapshot: OrgSnapshot }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly hint: string };

/** Organizations is a global service served from one region per partition. */
const ORGANIZATIONS_REGION: Readonly<Record<string, string>> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-northwest-1",
};

class MalformedResponse extends Error {}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) {
    throw new MalformedResponse(`the response has no ${what}`);
  }
  return value;
}

function hintFor(code: string): string {
  if (/AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/i.test(code)) {
    return "Run it with credentials of the management account (or of a delegated administrator for AWS Organizations) allowed organizations:DescribeOrganization and organizations:List*.";
  }
  if (code === "AWSOrganizationsNotInUseException") {
    return "These credentials' account is in no organization: run it from the organization's management account.";
  }
  if (code === "MalformedResponse") {
    return "The answer did not have the shape the AWS API documents; run again, and check any proxy between you and AWS.";
  }
  if (/Throttl|TooManyRequests/i.test(code)) {
    return "AWS Organizations throttled the reads even after retries; run again in a minute.";
  }
  return "Check the network and the credentials, and run again.";
}

function failure(error: unknown): ReadOrganizationResult {
  const e = (error ?? {}) as { name?: unknown; message?: unknown };
  const code =
    error instanceof MalformedResponse
      ? "MalformedResponse"
      : typeof e.name === "string" && e.name !== "Error"
        ? e.name
        : "Error";
  const message = (typeof e.message === "string" ? e.message : String(error)).split("\n")[0] ?? "";
  return { ok: false, code, message, hint: hintFor(code) };
}

function toAccount(account: Account, ouPath: string, ouId: string): OrgAccount {
  return {
    id: required(account.Id, "account Id"),
    name: account.Name ?? "",
    email: account.Email ?? "",
    status: required(account.State ?? account.Status, "account Status"),
    joinedMethod: account.JoinedMethod ?? "CREATED",
    ouPath,
    ouId,
  };
}

/** Reads the organization; never rejects. */
export async function readOrganization(
  options: ReadOrganizationOptions = {},
): Promise<ReadOrganizationResult> {
  const client = new OrganizationsClient({
    region: ORGANIZATIONS_REGION[options.partition ?? "aws"] ?? "us-east-1",
    maxAttempts: 8,
    retryMode: "standard",
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  });
  try {
    const described = await client.send(new DescribeOrganizationCommand({}));
    const organization = required(described.Organization, "Organization");
    const organizationId = required(organization.Id, "Organization.Id");
    const managementAccountId = required(
      organization.MasterAccountId,
      "Organization.MasterAccountId",
    );
    const roots = required((await client.send(new ListRootsCommand({}))).Roots, "Roots");
    const accounts: OrgAccount[] = [];
    // Breadth first over the OU tree: one parent at a time keeps within Organizations' low
    // request rates; the SDK's standard retries absorb throttling.
    const queue = roots.map((root) => ({
      id: required(root.Id, "Root.Id"),
      path: root.Name ?? "Root",
    }));
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const parent = next;
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent.id })) {
        for (const account of required(page.Accounts, "Accounts")) {
          accounts.push(toAccount(account, parent.path, parent.id));
        }
      }
      for await (const page of paginateListOrganizationalUnitsForParent(
        { client },
        { ParentId: parent.id },
      )) {
        for (const ou of required(page.OrganizationalUnits, "OrganizationalUnits")) {
          queue.push({
            id: required(ou.Id, "OrganizationalUnit.Id"),
            path: `${parent.path}/${ou.Name ?? ou.Id}`,
          });
        }
      }
    }
    accounts.sort((a, b) => a.ouPath.localeCompare(b.ouPath) || a.name.localeCompare(b.name));
    return { ok: true, snapshot: { organizationId, managementAccountId, accounts } };
  } catch (error) {
    return failure(error);
  } finally {
    client.destroy();
  }
}
