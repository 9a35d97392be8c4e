/**
 * What changed between two synths of a stack: resources added, removed or changed (inputs as a
 * structural diff, IAM documents as a semantic statement diff), the Terraform handoff and CI
 * pipeline files as line diffs, and one summary line per account that says what matters to a
 * reviewer: which role may now (or no longer) assume which.
 */
import diff from "microdiff";
import { renderDiff } from "../guard/text-diff";
import { actionMatches } from "../iam/matching";
import { normalizeDocument } from "../iam/normalize";
import { statementDiff, type StatementChange } from "./statement-diff";

/** Input fields that hold an IAM policy document, by resource type. */
export const DOCUMENT_FIELDS: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/userPolicy:UserPolicy": "policy",
  "aws:iam/policy:Policy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:kms/key:Key": "policy",
};

/** A resource as a synth records it (`resources.json`). */
export interface SnapshotResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly account?: string;
  readonly accountId?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** One synth: its resources and its files (path relative to the output directory → text). */
export interface SynthSnapshot {
  readonly resources: readonly SnapshotResource[];
  readonly files: ReadonlyMap<string, string>;
}

/** One changed input of a resource: a path into the inputs and the two values. */
export interface InputChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** How one resource changed. */
export interface ResourceChange {
  readonly kind: "added" | "removed" | "changed";
  readonly type: string;
  readonly name: string;
  readonly account?: string;
  /** Changed inputs other than the document. */
  readonly inputs: readonly InputChange[];
  /** The document's statement changes, when the resource holds one that changed. */
  readonly statements?: readonly StatementChange[];
}

/** A generated file (handoff, pipeline) that changed, with its line diff. */
export interface FileChange {
  readonly kind: "added" | "removed" | "changed";
  readonly path: string;
  readonly diff: string;
}

/** Per account: what happened to it and the access it gained or lost. */
export interface AccountSummary {
  readonly account: string;
  readonly kind: "added" | "removed" | "changed";
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  /** `the CI apply role (terraform-ci) may now assume arn:...` */
  readonly access: readonly string[];
}

/** Everything that changed. */
export interface SynthDiff {
  readonly accounts: readonly AccountSummary[];
  readonly resources: readonly ResourceChange[];
  readonly files: readonly FileChange[];
}

/** Files compared as text: the Terraform handoff and the pipeline templates. */
const TEXT_FILE = /^(?:terraform|ci)\//;

/** The tag that marks the CI roles and users with the path they serve. */
const ACCESS_TAG = "tf-bootstrap:access";

const key = (r: SnapshotResource) => `${r.type}::${r.name}`;

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return value;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return value;
  }
}

function inputChanges(before: SnapshotResource, after: SnapshotResource): InputChange[] {
  const field = DOCUMENT_FIELDS[after.type];
  const strip = (r: SnapshotResource) =>
    Object.fromEntries(
      Object.entries(r.inputs)
        .filter(([k]) => k !== field)
        .map(([k, v]) => [k, parseMaybeJson(v)]),
    );
  return diff(strip(before), strip(after)).map((d) => ({
    path: d.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
      .join("")
      .slice(1),
    ...(d.type !== "CREATE" ? { before: d.oldValue as unknown } : {}),
    ...(d.type !== "REMOVE" ? { after: d.value as unknown } : {}),
  }));
}

/** The identity policies of each role and user, by `account:name`: inline and attached. */
function identityPolicies(resources: readonly SnapshotResource[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const add = (account: string | undefined, holder: unknown, doc: unknown) => {
    if (typeof holder !== "string" || doc === undefined) return;
    const k = `${account ?? ""}:${holder}`;
    out.set(k, [...(out.get(k) ?? []), doc]);
  };
  const managed = new Map<string, unknown>();
  for (const r of resources) {
    if (r.type !== "aws:iam/policy:Policy" || !r.accountId) continue;
    const path = typeof r.inputs.path === "string" ? r.inputs.path : "/";
    managed.set(`${r.accountId}:policy${path}${String(r.inputs.name)}`, r.inputs.policy);
  }
  // An attachment names the policy by ARN; the partition does not matter within one synth.
  const byArn = (arn: unknown) => {
    const m = /^arn:[^:]+:iam::(\d{12}):(policy\/.*)$/.exec(String(arn));
    return m ? managed.get(`${m[1]}:${m[2]}`) : undefined;
  };
  for (const r of resources) {
    const i = r.inputs;
    switch (r.type) {
      case "aws:iam/rolePolicy:RolePolicy":
        add(r.account, i.role, i.policy);
        break;
      case "aws:iam/userPolicy:UserPolicy":
        add(r.account, i.user, i.policy);
        break;
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        add(r.account, i.role, byArn(i.policyArn));
        break;
      case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
        add(r.account, i.user, byArn(i.policyArn));
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * The roles each principal may assume under its identity policies: `sts:AssumeRole` allowed on
 * a resource, by `account:name` of the role or user the policy is attached to.
 */
function assumable(resources: readonly SnapshotResource[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [holder, docs] of identityPolicies(resources)) {
    const set = new Set<string>();
    for (const doc of docs) {
      const read = normalizeDocument(parseMaybeJson(doc));
      if (!read.ok) continue;
      for (const s of read.document.Statement) {
        if (s.Effect !== "Allow" || !s.Action?.some((a) => actionMatches(a, "sts:AssumeRole"))) {
          continue;
        }
        for (const arn of s.Resource ?? []) set.add(arn);
      }
    }
    out.set(holder, set);
  }
  return out;
}

/** "the CI apply role (terraform-ci)" for a tagged CI principal, else "role terraform (dev)". */
function principalName(resources: readonly SnapshotResource[], holder: string): string {
  const [account, name] = [
    holder.slice(0, holder.indexOf(":")),
    holder.slice(holder.indexOf(":") + 1),
  ];
  const found = resources.find(
    (r) =>
      (r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User") &&
      r.account === account &&
      r.inputs.name === name,
  );
  const kind = found?.type === "aws:iam/user:User" ? "user" : "role";
  const tags = parseMaybeJson(found?.inputs.tags) as Record<string, unknown> | undefined;
  const access = tags?.[ACCESS_TAG];
  return typeof access === "string"
    ? `the CI ${access} ${kind} (${name})`
    : `${kind} ${name} (${account})`;
}

function accountOfArn(arn: string, resources: readonly SnapshotResource[]): string | undefined {
  const id = /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
  return resources.find((r) => r.accountId === id && r.account)?.account;
}

/** Compares two synths of a stack. */
export function synthDiff(before: SynthSnapshot, after: SynthSnapshot): SynthDiff {
  const oldByKey = new Map(before.resources.map((r) => [key(r), r]));
  const newByKey = new Map(after.resources.map((r) => [key(r), r]));
  const resources: ResourceChange[] = [];
  for (const r of after.resources) {
    const old = oldByKey.get(key(r));
    const field = DOCUMENT_FIELDS[r.type];
    const base = { type: r.type, name: r.name, ...(r.account ? { account: r.account } : {}) };
    if (!old) {
      const statements = field
        ? statementDiff(undefined, parseMaybeJson(r.inputs[field]))
        : undefined;
      resources.push({ kind: "added", ...base, inputs: [], ...(statements ? { statements } : {}) });
      continue;
    }
    const inputs = inputChanges(old, r);
    const statements = field
      ? statementDiff(parseMaybeJson(old.inputs[field]), parseMaybeJson(r.inputs[field]))
      : undefined;
    const documentChanged =
      field !== undefined &&
      (statements === undefined
        ? JSON.stringify(old.inputs[field]) !== JSON.stringify(r.inputs[field])
        : statements.length > 0);
    if (inputs.length === 0 && !documentChanged) continue;
    resources.push({
      kind: "changed",
      ...base,
      inputs,
      ...(statements && statements.length > 0 ? { statements } : {}),
    });
  }
  for (const r of before.resources) {
    if (newByKey.has(key(r))) continue;
    resources.push({
      kind: "removed",
      type: r.type,
      name: r.name,
      ...(r.account ? { account: r.account } : {}),
      inputs: [],
    });
  }

  const files: FileChange[] = [];
  const paths = [...new Set([...before.files.keys(), ...after.files.keys()])]
    .filter((p) => TEXT_FILE.test(p))
    .sort();
  for (const path of paths) {
    const a = before.files.get(path);
    const b = after.files.get(path);
    if (a === b) continue;
    const kind = a === undefined ? "added" : b === undefined ? "removed" : "changed";
    files.push({ kind, path, diff: kind === "changed" ? renderDiff(a ?? "", b ?? "") : "" });
  }

  const oldAccess = assumable(before.resources);
  const newAccess = assumable(after.resources);
  const access = new Map<string, string[]>();
  const note = (arn: string, text: string, all: readonly SnapshotResource[]) => {
    const account = accountOfArn(arn, all) ?? "unknown";
    access.set(account, [...(access.get(account) ?? []), text]);
  };
  for (const holder of new Set([...oldAccess.keys(), ...newAccess.keys()])) {
    const a = oldAccess.get(holder) ?? new Set<string>();
    const b = newAccess.get(holder) ?? new Set<string>();
    for (const arn of [...b].filter((x) => !a.has(x)).sort()) {
      note(arn, `${principalName(after.resources, holder)} may now assume ${arn}`, after.resources);
    }
    for (const arn of [...a].filter((x) => !b.has(x)).sort()) {
      note(
        arn,
        `${principalName(before.resources, holder)} may no longer assume ${arn}`,
        before.resources,
      );
    }
  }

  const accounts: AccountSummary[] = [];
  const names = new Set(
    [...before.resources, ...after.resources].flatMap((r) => (r.account ? [r.account] : [])),
  );
  for (const account of [...names].sort((x, y) =>
    x === "terraform" ? -1 : y === "terraform" ? 1 : x.localeCompare(y),
  )) {
    const had = before.resources.some((r) => r.account === account && r.custom);
    const has = after.resources.some((r) => r.account === account && r.custom);
    const mine = resources.filter((c) => c.account === account && isCustom(c, before, after));
    const count = (kind: ResourceChange["kind"]) => mine.filter((c) => c.kind === kind).length;
    const lines = access.get(account) ?? [];
    if (mine.length === 0 && lines.length === 0) continue;
    accounts.push({
      account,
      kind: !had ? "added" : !has ? "removed" : "changed",
      added: count("added"),
      removed: count("removed"),
      changed: count("changed"),
      access: lines,
    });
  }
  return { accounts, resources, files };
}

function isCustom(c: ResourceChange, before: SynthSnapshot, after: SynthSnapshot): boolean {
  const find = (s: SynthSnapshot) =>
    s.resources.find((r) => r.type === c.type && r.name === c.name);
  return (find(after) ?? find(before))?.custom ?? false;
}

/** One line per account: `+ account qa: 9 resources; the CI apply role ... may now assume ...`. */
export function accountLine(a: AccountSummary): string {
  const access = a.access.length > 0 ? `; ${a.access.join("; ")}` : "";
  if (a.kind === "added") return `+ account ${a.account}: ${a.added} resources${access}`;
  if (a.kind === "removed") {
    return `- account ${a.account}: ${a.removed} resources removed (state in the state bucket is kept)${access}`;
  }
  const parts = [
    a.added ? `${a.added} added` : "",
    a.changed ? `${a.changed} changed` : "",
    a.removed ? `${a.removed} removed` : "",
  ].filter(Boolean);
  return `~ account ${a.account}: ${parts.join(", ") || "no resource changed"}${access}`;
}

/** Whether nothing changed. */
export function isEmptyDiff(d: SynthDiff): boolean {
  return d.resources.length === 0 && d.files.length === 0 && d.accounts.length === 0;
}
