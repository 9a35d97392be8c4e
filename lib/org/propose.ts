/**
 * Which accounts of an organization a stack does not cover yet, and the stack entries that
 * would bootstrap them. Pure: the organization is read elsewhere (`scripts/aws/`).
 */
import { ACCOUNT_NAME } from "../config/rules";
import type { AccountEntry } from "../accounts/stack-edit";
import type { OrgAccount, OrgSnapshot } from "./model";

/** What a stack already names. */
export interface StackAccounts {
  readonly terraformAccountId: string;
  readonly productAccounts: readonly { readonly name: string; readonly id: string }[];
}

/** Options of {@link proposeAccounts}. */
export interface ProposeOptions {
  /**
   * Only accounts in this organizational unit or below it: an OU path (`Root/Workloads`, or
   * `Workloads`), or an OU id (`ou-ab12-34cd56ef`). Default: the whole organization.
   */
  readonly ou?: string;
  /** Propose the management account too. Default: no (it should run no workloads). */
  readonly includeManagement?: boolean;
}

/** Why an account of the organization gets no entry. */
export type SkipReason =
  "in-stack" | "terraform-account" | "management-account" | "not-active" | "outside-ou";

/** An account and the entry proposed for it. */
export interface ProposedAccount {
  readonly account: OrgAccount;
  readonly entry: AccountEntry;
  /** Written after the entry in the stack file: where it came from. */
  readonly comment: string;
  /** What must be done before `pulumi up` can reach the account. */
  readonly warnings: readonly string[];
}

/** Every account of the organization, proposed or skipped with the reason. */
export interface Proposal {
  readonly proposed: readonly ProposedAccount[];
  readonly skipped: readonly { readonly account: OrgAccount; readonly reason: SkipReason }[];
}

/** An OU path without the leading `Root/`, for comparisons. */
function normalizeOuPath(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").replace(/^Root(\/|$)/i, "");
}

/** Whether `account` sits in the OU `ou` (path or id) or below it. */
export function inOu(account: OrgAccount, ou: string, snapshot: OrgSnapshot): boolean {
  if (/^(ou-|r-)/.test(ou)) {
    if (account.ouId === ou) return true;
    // An OU id names a path; accounts below it have that path as a prefix.
    const path = snapshot.accounts.find((a) => a.ouId === ou)?.ouPath;
    return path !== undefined && `${account.ouPath}/`.startsWith(`${path}/`);
  }
  const want = normalizeOuPath(ou).toLowerCase();
  const have = normalizeOuPath(account.ouPath).toLowerCase();
  return want === "" || have === want || have.startsWith(`${want}/`);
}

/**
 * A stack account name from an Organizations account name: lowercase letters, digits and `-`,
 * starting with a letter, at most 32 characters, unique among `taken`.
 */
export function accountKey(orgName: string, id: string, taken: ReadonlySet<string>): string {
  let base = orgName
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (base === "") base = `account-${id}`;
  if (!/^[a-z]/.test(base)) base = `a-${base}`;
  base = base.slice(0, ACCOUNT_NAME.maxLength).replace(/-+$/, "");
  let name = base;
  for (let n = 2; taken.has(name); n += 1) {
    const suffix = `-${n}`;
    name = `${base.slice(0, ACCOUNT_NAME.maxLength - suffix.length).replace(/-+$/, "")}${suffix}`;
  }
  return name;
}

/** Proposes an entry for every active account of the organization the stack does not cover. */
export function proposeAccounts(
  snapshot: OrgSnapshot,
  stack: StackAccounts,
  options: ProposeOptions = {},
): Proposal {
  const inStack = new Set(stack.productAccounts.map((a) => a.id));
  const taken = new Set(stack.productAccounts.map((a) => a.name));
  const proposed: ProposedAccount[] = [];
  const skipped: Proposal["skipped"][number][] = [];
  for (const account of snapshot.accounts) {
    const reason: SkipReason | undefined = inStack.has(account.id)
      ? "in-stack"
      : account.id === stack.terraformAccountId
        ? "terraform-account"
        : account.id === snapshot.managementAccountId && options.includeManagement !== true
          ? "management-account"
          : account.status !== "ACTIVE"
            ? "not-active"
            : options.ou !== undefined && !inOu(account, options.ou, snapshot)
              ? "outside-ou"
              : undefined;
    if (reason !== undefined) {
      skipped.push({ account, reason });
      continue;
    }
    const name = accountKey(account.name, account.id, taken);
    taken.add(name);
    const invited = account.joinedMethod === "INVITED";
    proposed.push({
      account,
      entry: { name, id: account.id },
      comment: `${account.name}; OU ${account.ouPath} (${account.ouId})${invited ? "; invited: create the bootstrap role first" : ""}`,
      warnings: invited
        ? [
            `${account.id} (${account.name}) joined the organization by invitation, so it has no OrganizationAccountAccessRole unless someone created it: create the bootstrap role there before \`pulumi up\` (docs/quickstart.md, "Accounts invited into the organisation").`,
          ]
        : [],
    });
  }
  return { proposed, skipped };
}
