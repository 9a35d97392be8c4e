/**
 * `topology.html`: one self-contained page for a security review — the graph (an inline SVG
 * laid out by Graphviz), who may assume what, what each identity may do to Terraform state,
 * the admins and the deployer, and every product account by group. No script, no external
 * resource: it opens from a file, offline, and prints.
 */
import type { TopologyPlan } from "../plan/model";
import type { AssumeMatrix, ProductGroup, StateAccessMatrix, Verdict } from "./access";

function esc(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const CELL: Record<Verdict["kind"], { text: string; css: string }> = {
  allow: { text: "allowed", css: "allow" },
  deny: { text: "denied", css: "deny" },
  "not-granted": { text: "no", css: "no" },
  "if-own-policy": { text: "if its own policy allows", css: "maybe" },
};

function cell(v: Verdict | undefined): string {
  if (v === undefined) return "<td></td>";
  const { text, css } = CELL[v.kind];
  const by =
    v.kind === "not-granted" || v.by.length === 0 ? "" : ` title="${esc(v.by.join(", "))}"`;
  const detail =
    v.kind === "deny" || (v.kind === "allow" && v.by.length > 0)
      ? `<small>${esc([...new Set(v.by)].join(", "))}</small>`
      : "";
  return `<td class="${css}"${by}>${text}${detail}</td>`;
}

function table(head: readonly string[], rows: readonly string[][]): string {
  return [
    "<table>",
    `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map((r) => `<tr>${r.join("")}</tr>`),
    "</tbody></table>",
  ].join("\n");
}

/** The page; `svg` is the rendered graph. */
export function topologyHtml(
  stack: string,
  plan: TopologyPlan,
  groups: readonly ProductGroup[],
  assume: AssumeMatrix,
  state: StateAccessMatrix,
  svg: string,
): string {
  const tf = plan.terraform;
  const inlineSvg = svg.replace(/^<\?xml[^>]*>\s*/, "").replace(/<!DOCTYPE[^>]*>\s*/, "");
  const assumeTable = table(
    ["caller", ...assume.targets.map((t) => t.label)],
    assume.rows.map((r) => [`<th>${esc(r.caller.label)}</th>`, ...r.cells.map(cell)]),
  );
  const stateTable = table(
    ["identity", ...state.columns],
    state.rows.map((r) => [
      `<th>${esc(r.identity.label)}<small>${esc(r.identity.arn)}</small></th>`,
      ...r.cells.map(cell),
    ]),
  );
  const groupTables = groups
    .map(
      (g) =>
        `<h3>${esc(g.label)}: ${g.accounts.length} account${g.accounts.length === 1 ? "" : "s"}</h3>\n` +
        table(
          ["account", "account id", "workspace", "CI environment", "deployer role"],
          g.accounts.map((a) =>
            [a.key, a.accountId, a.workspace, a.environment, a.provider.assumeRoleArn].map(
              (t) => `<td>${esc(t)}</td>`,
            ),
          ),
        ),
    )
    .join("\n");
  const admins =
    plan.adminPrincipals.length === 0
      ? "<p>No admin principals: only the CI roles use state.</p>"
      : `<ul>${plan.adminPrincipals.map((a) => `<li><code>${esc(a)}</code></li>`).join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tf-bootstrap topology: stack ${esc(stack)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
.graph svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f2f2f2; }
small { display: block; color: #666; font-size: 11px; }
td.allow { background: #dcefd8; } td.deny { background: #f6d5d5; }
td.no { color: #777; } td.maybe { background: #fff3cd; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>tf-bootstrap topology: stack <code>${esc(stack)}</code></h1>
<p>Organisation <b>${esc(plan.organization)}</b>, region ${esc(plan.region)}, partition ${esc(plan.partition)};
Terraform account <b>${esc(tf.accountId)}</b>; ${plan.products.length} product account${plan.products.length === 1 ? "" : "s"} in ${groups.length} group${groups.length === 1 ? "" : "s"}; CI mode <b>${esc(tf.ciMode)}</b>.
Every answer below comes from evaluating the IAM documents the program registers (the CI roles' policies, the trust policies, the state bucket and key policies), not from a description of them.</p>
<h2>Who may assume what, and who may touch state</h2>
<div class="graph">${inlineSvg}</div>
<h2>Who may assume what</h2>
${assumeTable}
<h2>Terraform state: what each identity may do</h2>
<p>State objects <code>s3://${esc(tf.state.bucket)}/${esc(tf.state.keyPrefix)}/&lt;workspace&gt;/${esc(tf.state.key)}</code>, encrypted with <code>alias/${esc(tf.state.kmsKey.alias)}</code>; lock: ${esc(tf.state.lockMode)}. "denied" is an explicit Deny (the statement is named); "no" is not granted.</p>
${stateTable}
<h2>Admins</h2>
<p>Principals the bucket and key policies let read and repair state (break-glass); their own IAM policies are not managed by this stack:</p>
${admins}
<p>The deployer (<code>pulumi up</code>) acts through each account's bootstrap role (<code>${esc(tf.provider.assumeRoleArn)}</code> in the Terraform account); its row in the state table shows what it may do to state.</p>
<h2>Product accounts</h2>
<p>Accounts are grouped by CI environment; accounts of one group have identical Terraform and plan roles (compared with each account's own id replaced).</p>
${groupTables}
</body>
</html>
`;
}
