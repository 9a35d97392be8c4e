/**
 * The topology as a Graphviz graph (DOT text) a security review can read: the CI identities,
 * the Terraform account (CI roles, state, admins), one box per group of identical product
 * accounts in an environment, who may assume what, and who may touch state. Every edge comes
 * from the evaluated matrices (`access.ts`), so the picture cannot say more than the documents.
 */
import type { TopologyPlan } from "../plan/model";
import type { AssumeMatrix, ProductGroup, StateAccessMatrix, Verdict } from "./access";

/** How many account names a group box lists before "and N more". */
export const NAMES_PER_GROUP = 6;

/** A DOT string literal. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Text for an HTML-like label. */
function html(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function nodeLabel(title: string, lines: readonly string[], color: string): string {
  const rows = lines
    .map((l) => `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">${html(l)}</FONT></TD></TR>`)
    .join("");
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD ALIGN="LEFT" BGCOLOR="${color}"><B>${html(title)}</B></TD></TR>${rows}</TABLE>>`;
}

const allowed = (v: Verdict | undefined) => v?.kind === "allow";

/** The group box's account lines. */
export function groupLines(group: ProductGroup): string[] {
  const names = group.accounts.map((a) => `${a.key} ${a.accountId}`);
  const shown = names.slice(0, NAMES_PER_GROUP);
  const more = names.length - shown.length;
  return more > 0 ? [...shown, `and ${more} more (see the tables)`] : shown;
}

/** The graph. */
export function topologyDot(
  plan: TopologyPlan,
  groups: readonly ProductGroup[],
  assume: AssumeMatrix,
  state: StateAccessMatrix,
): string {
  const tf = plan.terraform;
  const lines: string[] = [
    "digraph topology {",
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.9, compound=true];',
    '  node [shape=plain, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#444444"];',
  ];
  // Callers: CI identities by path.
  lines.push('  subgraph cluster_ci { label="CI system"; style="rounded,dashed"; color="#888888";');
  const callerNodes: string[] = [];
  assume.rows.forEach((row, i) => {
    const { caller } = row;
    if (caller.identity?.label.endsWith("role")) return;
    if (caller.identity !== undefined && !caller.identity.label.startsWith("CI ")) return;
    const id = `caller${i}`;
    callerNodes.push(id);
    const title = caller.oidc ? "CI workflow (OIDC token)" : caller.label.replace(/ [^ ]+$/, "");
    const detail = caller.oidc
      ? [`sub: ${caller.oidc.subject}`, `aud: ${caller.oidc.audience}`]
      : [caller.identity?.arn ?? ""];
    lines.push(`    ${id} [label=${nodeLabel(title, detail, "#e8eef8")}];`);
  });
  lines.push("  }");

  // The Terraform account.
  lines.push(
    `  subgraph cluster_terraform { label=${dotString(`Terraform account ${tf.accountId}`)}; style=rounded; color="#1f4e99";`,
    `    ci_apply [label=${nodeLabel(tf.ciApply.length === 1 ? "CI apply role" : "CI apply roles", applyRoleLines(tf), "#fde9c8")}];`,
    `    ci_plan [label=${nodeLabel("CI plan role", [tf.ciPlanRole.name, "reads state, holds the lock"], "#e3f2df")}];`,
    `    state [label=${nodeLabel("Terraform state", [`s3://${tf.state.bucket}`, `key alias/${tf.state.kmsKey.alias}`, `lock: ${tf.state.lockMode}`, "protected, retained, versioned"], "#eeeeee")}];`,
  );
  plan.adminPrincipals.forEach((arn, i) => {
    lines.push(
      `    admin${i} [label=${nodeLabel("admin (break-glass)", [arn, "may read and repair state"], "#f6dede")}];`,
    );
  });
  lines.push(
    `    deployer [label=${nodeLabel("deployer (pulumi up)", [tf.provider.assumeRoleArn], "#f6dede")}];`,
    `    others [label=${nodeLabel("anyone else", ["any other principal, even an administrator"], "#f6dede")}];`,
    "  }",
  );

  // Product account groups.
  groups.forEach((group, g) => {
    lines.push(
      `  subgraph cluster_group${g} { label=${dotString(`${group.label}: ${group.accounts.length} account${group.accounts.length === 1 ? "" : "s"}, identical roles`)}; style=rounded; color="#2e7d32";`,
      `    group${g}_accounts [label=${nodeLabel("accounts", groupLines(group), "#ffffff")}];`,
      `    group${g}_tf [label=${nodeLabel("Terraform role", [plan.products[0]?.terraformRole.name ?? "", "allowedServices, managed policies"], "#fde9c8")}];`,
      `    group${g}_plan [label=${nodeLabel("plan role", [plan.products[0]?.planRole.name ?? "", "read-only, secret values denied"], "#e3f2df")}];`,
      `    group${g}_accounts -> group${g}_tf [style=invis]; group${g}_accounts -> group${g}_plan [style=invis];`,
      "  }",
    );
  });

  // Who may assume what: every allowed cell becomes an edge.
  const targetNode = (t: number): string | undefined => {
    if (t === 0) return "ci_apply";
    if (t === 1) return "ci_plan";
    const g = Math.floor((t - 2) / 2);
    return (t - 2) % 2 === 0 ? `group${g}_tf` : `group${g}_plan`;
  };
  assume.rows.forEach((row, i) => {
    const from =
      row.caller.identity?.label === "CI apply role"
        ? "ci_apply"
        : row.caller.identity?.label === "CI plan role"
          ? "ci_plan"
          : callerNodes.includes(`caller${i}`)
            ? `caller${i}`
            : undefined;
    if (from === undefined) return;
    row.cells.forEach((cell, t) => {
      const to = targetNode(t);
      if (!allowed(cell) || to === undefined) return;
      const action = row.caller.oidc ? "AssumeRoleWithWebIdentity" : "sts:AssumeRole";
      lines.push(`  ${from} -> ${to} [label=${dotString(action)}, penwidth=1.6];`);
    });
  });

  // State access: one edge per identity, labelled with what it may do.
  const stateNode = (label: string, i: number): string | undefined => {
    if (label === "CI apply role") return "ci_apply";
    if (label === "CI plan role") return "ci_plan";
    if (label === "admin principal")
      return `admin${plan.adminPrincipals.indexOf(state.rows[i]?.identity.arn ?? "")}`;
    if (label.startsWith("any other principal")) return "others";
    if (label.startsWith("the deployer")) return "deployer";
    return undefined;
  };
  state.rows.forEach((row, i) => {
    const from = stateNode(row.identity.label, i);
    if (from === undefined) return;
    const may = state.columns.filter((_, c) => row.cells[c]?.kind === "allow");
    const ifOwn = state.columns.filter((_, c) => row.cells[c]?.kind === "if-own-policy");
    const denied = state.columns.filter((_, c) => row.cells[c]?.kind === "deny");
    if (may.length > 0) {
      lines.push(`  ${from} -> state [label=${dotString(may.join(", "))}, color="#1f4e99"];`);
    }
    if (ifOwn.length > 0) {
      lines.push(
        `  ${from} -> state [label=${dotString(`if its own policy allows: ${ifOwn.join(", ")}`)}, style=dashed, color="#1f4e99"];`,
      );
    }
    if ((from === "others" || from === "deployer") && denied.length > 0) {
      lines.push(
        `  ${from} -> state [label=${dotString(`denied: ${denied.join(", ")}`)}, style=dashed, color="#b71c1c", fontcolor="#b71c1c", arrowhead=tee];`,
      );
    }
  });
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The lines of the CI apply role node: the shared role, or one role per environment. */
function applyRoleLines(tf: TopologyPlan["terraform"]): string[] {
  const [first] = tf.ciApply;
  if (tf.ciApply.length === 1 && first?.environment === undefined) {
    return [first?.role.name ?? "", "reads and writes state"];
  }
  const shown = tf.ciApply.slice(0, 3).map((a) => a.role.name);
  const more = tf.ciApply.length > 3 ? [`and ${tf.ciApply.length - 3} more`] : [];
  return [...shown, ...more, "one per environment: its accounts, its state"];
}
