import { acknowledgedRisks, type AcknowledgedRisk } from "../../lib/config/acknowledgements";
import { decodePulumiConfig } from "../../lib/config/parse";
import { renderVerdicts, runGuard, viewFromRegistrations, type GuardReport } from "../../lib/guard";
import { intentFromFlatConfig } from "../../lib/guard/intent";
import { DOCUMENT_FIELDS } from "../../lib/synth-diff/synth-diff";
import { topologyFiles } from "../../lib/report/topology-files";
import { synthHandoffArtifacts } from "../../lib/terraform";
import { renderSvg } from "../report/render-svg";
import { PROJECT, type RecordedResource, type SynthResult } from "./mock-runtime";
import { renderOrgSection, type OrgSynth } from "./org-stack";

/** Input fields that hold an IAM policy document, by resource type. */
export { DOCUMENT_FIELDS };

/** A file of the synth output: path relative to `out/<stack>/`, and its text. */
export interface Artifact {
  readonly path: string;
  readonly text: string;
}

function sortResources(resources: readonly RecordedResource[]): RecordedResource[] {
  return [...resources].sort(
    (a, b) =>
      (a.account ?? "").localeCompare(b.account ?? "") ||
      a.type.localeCompare(b.type) ||
      a.name.localeCompare(b.name),
  );
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every IAM document the program registered: account, resource, and the parsed document. */
export function iamDocuments(resources: readonly RecordedResource[]) {
  const docs: { account: string; resource: RecordedResource; field: string; document: unknown }[] =
    [];
  for (const resource of sortResources(resources)) {
    const field = DOCUMENT_FIELDS[resource.type];
    const text = field ? resource.inputs[field] : undefined;
    if (typeof text !== "string") continue;
    docs.push({
      account: resource.account ?? "unknown",
      resource,
      field: field ?? "",
      document: JSON.parse(text),
    });
  }
  return docs;
}

/**
 * Who may assume each role, read from the registered trust policies (for the diagram): IAM
 * callers named by `aws:PrincipalArn`, and OIDC providers with the token subjects they admit.
 */
export function trustEdges(
  resources: readonly RecordedResource[],
): { from: string; to: string; subjects?: string[] }[] {
  const edges: { from: string; to: string; subjects?: string[] }[] = [];
  for (const { resource, field, document } of iamDocuments(resources)) {
    if (field !== "assumeRolePolicy") continue;
    const to = `${resource.account}:${String(resource.inputs.name)}`;
    for (const st of (document as { Statement: Record<string, unknown>[] }).Statement) {
      if (st.Effect !== "Allow") continue;
      const cond = st.Condition as Record<string, Record<string, string[]>> | undefined;
      const callers = cond?.ArnEquals?.["aws:PrincipalArn"] ?? [];
      for (const from of callers) edges.push({ from, to });
      const federated = (st.Principal as { Federated?: string[] } | undefined)?.Federated ?? [];
      for (const from of federated) {
        const subjects = Object.values(cond ?? {}).flatMap((block) =>
          Object.entries(block).flatMap(([key, values]) => (key.endsWith(":sub") ? values : [])),
        );
        edges.push({ from, to, subjects });
      }
    }
  }
  return edges;
}

function mermaid(result: SynthResult): string {
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  const accounts = new Map<string, RecordedResource[]>();
  for (const r of result.resources) {
    if (!r.account || !r.custom) continue;
    accounts.set(r.account, [...(accounts.get(r.account) ?? []), r]);
  }
  const lines = ["flowchart TD"];
  const arnToNode = new Map<string, string>();
  for (const [account, resources] of [...accounts.entries()].sort()) {
    const accountId = resources[0]?.accountId ?? "";
    lines.push(`  subgraph ${id(account)}["${account} (${accountId})"]`);
    for (const r of sortResources(resources)) {
      if (r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User") {
        const kind = r.type === "aws:iam/role:Role" ? "role" : "user";
        const node = id(`${account}_${kind}_${String(r.inputs.name)}`);
        arnToNode.set(`${account}:${kind}:${String(r.inputs.name)}`, node);
        lines.push(`    ${node}["${kind}: ${String(r.inputs.name)}"]`);
      }
      if (r.type === "aws:s3/bucket:Bucket")
        lines.push(
          `    ${id(`${account}_bucket_${String(r.inputs.bucket)}`)}[("bucket: ${String(r.inputs.bucket)}")]`,
        );
    }
    lines.push("  end");
  }
  const accountOfId = new Map<string, string>();
  for (const r of result.resources)
    if (r.account && r.accountId) accountOfId.set(r.accountId, r.account);
  for (const edge of trustEdges(result.resources)) {
    const [account, name] = edge.to.split(":");
    const to = arnToNode.get(`${account}:role:${name}`);
    if (edge.subjects !== undefined) {
      const from = id(`oidc_${edge.from}`);
      if (!arnToNode.has(edge.from)) {
        arnToNode.set(edge.from, from);
        lines.push(`  ${from}{{"OIDC: ${edge.from.slice(edge.from.indexOf("/") + 1)}"}}`);
      }
      const label = edge.subjects.map((s) => s.replace(/"/g, "'")).join("<br/>");
      if (to) lines.push(`  ${from} -- "${label}" --> ${to}`);
      continue;
    }
    const m = /^arn:[^:]+:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(edge.from);
    const from = m ? arnToNode.get(`${accountOfId.get(m[1] ?? "")}:${m[2]}:${m[3]}`) : undefined;
    if (from && to) lines.push(`  ${from} -- "sts:AssumeRole" --> ${to}`);
  }
  return lines.join("\n");
}

/** The Markdown report: summary per account and the trust diagram. */
export function report(
  stack: string,
  result: SynthResult,
  extraSections: readonly string[] = [],
): string {
  const rows = new Map<string, { accountId: string; resources: number; roles: string[] }>();
  for (const r of result.resources) {
    if (!r.custom || !r.account) continue;
    const row = rows.get(r.account) ?? { accountId: r.accountId ?? "", resources: 0, roles: [] };
    row.resources += 1;
    if (r.type === "aws:iam/role:Role") row.roles.push(String(r.inputs.name));
    rows.set(r.account, row);
  }
  const table = [
    "| account | account id | resources | roles |",
    "|---|---|---:|---|",
    ...[...rows.entries()]
      .sort(([a], [b]) => (a === "terraform" ? -1 : b === "terraform" ? 1 : a.localeCompare(b)))
      .map(
        ([account, row]) =>
          `| ${account} | ${row.accountId} | ${row.resources} | ${row.roles.sort().join(", ")} |`,
      ),
  ];
  const docs = iamDocuments(result.resources).length;
  return [
    `# tf-bootstrap synth: stack \`${stack}\``,
    "",
    `${result.resources.filter((r) => r.custom).length} resources and ${docs} IAM documents, synthesized offline on Pulumi's mock runtime.`,
    "",
    "## Accounts",
    "",
    ...table,
    "",
    "## Who can assume what",
    "",
    "```mermaid",
    mermaid(result),
    "```",
    "",
    ...extraSections,
  ].join("\n");
}

/**
 * The policy pack's verdicts on a synthesized stack: the same analysis (`lib/guard`) on the same
 * view the engine would hand the pack, offline. `packConfig` is a `--policy-pack-config` file's
 * content.
 */
export function policyVerdicts(
  stack: string,
  result: SynthResult,
  packConfig: Readonly<Record<string, unknown>> = {},
): GuardReport {
  return runGuard(
    viewFromRegistrations(result.resources, { project: PROJECT, stack }),
    packConfig,
    intentFromFlatConfig(result.config),
  );
}

/** The risks the synthesized stack's config accepts on purpose. */
export function stackAcknowledgements(result: SynthResult): AcknowledgedRisk[] {
  return acknowledgedRisks(decodePulumiConfig(result.config));
}

/** The report's section on accepted risks; empty when the stack accepts none. */
export function renderAcknowledgements(risks: readonly AcknowledgedRisk[]): string {
  if (risks.length === 0) return "";
  return [
    "## Acknowledged risks",
    "",
    "The stack lifts these safeguards on purpose; review them with the verdicts below.",
    "",
    ...risks.map((r) => `- **\`${r.setting}: true\`**: ${r.message}`),
    "",
  ].join("\n");
}

const WHOLE: OrgSynth = { part: { kind: "whole" }, skipped: [] };

/**
 * Every file of the synth output but the Terraform handoff; the report ends with the policy
 * verdicts. `org` is the stack's part in a split organisation: an account-group stack gets no
 * topology picture (its core stack's is the organisation's).
 */
export function synthArtifacts(
  stack: string,
  result: SynthResult,
  verdicts: GuardReport = policyVerdicts(stack, result),
  org: OrgSynth = WHOLE,
): Artifact[] {
  const files: Artifact[] = [
    { path: "resources.json", text: pretty(sortResources(result.resources)) },
    { path: "outputs.json", text: pretty(result.outputs) },
    {
      path: "report.md",
      text: report(
        stack,
        result,
        [
          renderOrgSection(org),
          renderAcknowledgements(stackAcknowledgements(result)),
          renderVerdicts(verdicts),
        ].filter((section) => section !== ""),
      ),
    },
  ];
  for (const { account, resource, document } of iamDocuments(result.resources)) {
    files.push({ path: `iam/${account}/${resource.name}.json`, text: pretty(document) });
  }
  // The picture for a security review: topology.svg and topology.html (lib/report).
  if (result.plan !== undefined && org.part.kind !== "group")
    files.push(...topologyFiles(stack, result.plan, renderSvg));
  return files;
}

/**
 * Everything `npm run synth` writes for a stack: {@link synthArtifacts} and, unless the stack is
 * an account-group stack (whose core stack's handoff lists every workspace), the Terraform
 * handoff and CI templates.
 */
export function synthFiles(
  stack: string,
  result: SynthResult,
  verdicts: GuardReport = policyVerdicts(stack, result),
  org: OrgSynth = WHOLE,
): Artifact[] {
  return [
    ...synthArtifacts(stack, result, verdicts, org),
    ...(org.part.kind === "group" ? [] : synthHandoffArtifacts(stack, result.outputs)),
  ];
}
