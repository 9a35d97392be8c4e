/**
 * What `pulumi up` would do after a config change, from two synthesized runs of the program:
 * resources created, deleted and updated, by account. Resources are matched by type and name
 * (Pulumi's URN without the stack), compared by their inputs.
 */

/** A registered resource, as the synth records it. */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly account?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The difference between two runs. */
export interface ResourceDelta {
  readonly created: readonly ResourceLike[];
  readonly deleted: readonly ResourceLike[];
  readonly updated: readonly ResourceLike[];
}

const keyOf = (r: ResourceLike) => `${r.type}::${r.name}`;

/** Compares the custom resources of two runs. */
export function resourceDelta(
  before: readonly ResourceLike[],
  after: readonly ResourceLike[],
): ResourceDelta {
  const old = new Map(before.filter((r) => r.custom).map((r) => [keyOf(r), r]));
  const seen = new Set<string>();
  const created: ResourceLike[] = [];
  const updated: ResourceLike[] = [];
  for (const r of after.filter((x) => x.custom)) {
    const was = old.get(keyOf(r));
    seen.add(keyOf(r));
    if (was === undefined) created.push(r);
    else if (JSON.stringify(was.inputs) !== JSON.stringify(r.inputs)) updated.push(r);
  }
  const deleted = [...old.values()].filter((r) => !seen.has(keyOf(r)));
  return { created, deleted, updated };
}

/** A short label: `role terraform`, `inline policy terraform of terraform`, `provider aws-qa`. */
export function resourceLabel(r: ResourceLike): string {
  const str = (v: unknown) => (typeof v === "string" ? v : r.name);
  switch (r.type) {
    case "pulumi:providers:aws":
      return `provider ${r.name}`;
    case "aws:iam/role:Role":
      return `role ${str(r.inputs.name)}`;
    case "aws:iam/user:User":
      return `user ${str(r.inputs.name)}`;
    case "aws:iam/rolePolicy:RolePolicy":
      return `inline policy ${str(r.inputs.name)} of role ${str(r.inputs.role)}`;
    case "aws:iam/policy:Policy":
      return `managed policy ${str(r.inputs.name)}`;
    case "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive":
      return `exclusive inline policies of role ${str(r.inputs.roleName)}`;
    case "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
      return `exclusive attachments of role ${str(r.inputs.roleName)}`;
    default: {
      const kind = (r.type.split(":").pop() ?? r.type).replace(/([a-z])([A-Z])/g, "$1 $2");
      const name = r.inputs.name ?? r.inputs.bucket;
      return `${kind.toLowerCase()} ${typeof name === "string" ? name : r.name}`;
    }
  }
}

/** One line per account and kind of change: `+ account qa: 9 resources (provider aws-qa, …)`. */
export function renderDelta(delta: ResourceDelta): string[] {
  const lines: string[] = [];
  const groups: [string, readonly ResourceLike[], string][] = [
    ["+", delta.created, "create"],
    ["-", delta.deleted, "delete"],
    ["~", delta.updated, "update"],
  ];
  for (const [sign, resources, verb] of groups) {
    const byAccount = new Map<string, ResourceLike[]>();
    for (const r of resources) {
      const account = r.account ?? "(no account)";
      byAccount.set(account, [...(byAccount.get(account) ?? []), r]);
    }
    for (const [account, list] of [...byAccount.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const labels = list.map(resourceLabel).sort();
      lines.push(
        `${sign} account ${account}: ${verb} ${list.length} resource${list.length === 1 ? "" : "s"} (${labels.join(", ")})`,
      );
    }
  }
  if (lines.length === 0) lines.push("no resource changes");
  return lines;
}
