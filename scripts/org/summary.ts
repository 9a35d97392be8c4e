/**
 * What one stack's run did, gathered from the engine's events (the Automation API's `onEvent`),
 * and the organisation's summary as text and JSON. Pure: events in, data and lines out.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** The operations the summary counts; the engine's others are counted under their own names. */
export const OPERATIONS = ["create", "update", "replace", "delete", "same"] as const;

/** A policy's violations in one stack, by enforcement level. */
export interface PolicyCount {
  readonly policy: string;
  readonly mandatory: number;
  readonly advisory: number;
}

/** One resource step: `update aws:iam/rolePolicy:RolePolicy ci-terraform-assume`. */
export interface StepLine {
  readonly op: string;
  readonly type: string;
  readonly name: string;
}

/** How a stack's run ended. */
export type StackStatus =
  /** The run finished and the pack found no mandatory violation. */
  | "ok"
  /** The run failed: a program or provider error, or a mandatory violation. */
  | "failed"
  /** Not run: the core stack failed. */
  | "not-run"
  /** Not previewed: the core stack's pending update adds accounts this group needs. */
  | "waits-for-core";

/** One stack's line of the summary. */
export interface StackSummary {
  readonly stack: string;
  readonly part: "core" | "group";
  readonly status: StackStatus;
  /** Resources by operation (`create`, `update`, …), the stack resource included. */
  readonly changes: Readonly<Record<string, number>>;
  /** The policy packs that ran, `name@version`; empty when none ran. */
  readonly policyPacks: readonly string[];
  /** The number of policies that passed and failed (over every resource and the stack). */
  readonly policiesPassed: number;
  readonly policiesFailed: number;
  readonly mandatory: number;
  readonly advisory: number;
  /** Violations by policy, sorted by name. */
  readonly policies: readonly PolicyCount[];
  /** Every step other than `same` and `read`, in the engine's order. */
  readonly steps: readonly StepLine[];
  readonly durationMs: number;
  /** Why the stack failed or was not run: the first error the engine reported. */
  readonly error?: string;
}

/** The events of one stack's run, reduced as they come. */
export class StackEvents {
  private readonly preOps = new Map<string, number>();
  private resourceChanges: Record<string, number> | undefined;
  private packs: string[] = [];
  private readonly passed = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly violations = new Map<string, { mandatory: number; advisory: number }>();
  private readonly errors: string[] = [];
  private readonly steps: StepLine[] = [];
  private readonly findings: string[] = [];
  /** A summary event ended a phase: `up` previews, then updates, in one event stream. */
  private phaseEnded = false;

  /** Takes one event; returns the progress line worth showing for it, if any. */
  add(event: EngineEvent): string | undefined {
    const raw = event as EngineEvent & {
      policyAnalyzeSummaryEvent?: { passed?: string[]; failed?: string[] };
      policyAnalyzeStackSummaryEvent?: { passed?: string[]; failed?: string[] };
      summaryEvent?: { PolicyPacks?: Record<string, string> };
    };
    if (this.phaseEnded && !event.summaryEvent && !event.cancelEvent) this.startPhase();
    const pre = event.resourcePreEvent?.metadata;
    if (pre && pre.type !== "pulumi:pulumi:Stack") {
      const op = String(pre.op);
      this.preOps.set(op, (this.preOps.get(op) ?? 0) + 1);
      if (op === "same" || op === "read") return undefined;
      const step = { op, type: pre.type, name: pre.urn.slice(pre.urn.lastIndexOf("::") + 2) };
      this.steps.push(step);
      return `${step.op} ${step.type} ${step.name}`;
    }
    const verdict = raw.policyAnalyzeSummaryEvent ?? raw.policyAnalyzeStackSummaryEvent;
    if (verdict) {
      for (const p of verdict.passed ?? []) this.passed.add(p);
      for (const p of verdict.failed ?? []) this.failed.add(p);
      return undefined;
    }
    const policy = event.policyEvent;
    if (policy) {
      const level = policy.enforcementLevel === "mandatory" ? "mandatory" : "advisory";
      const count = this.violations.get(policy.policyName) ?? { mandatory: 0, advisory: 0 };
      count[level] += 1;
      this.violations.set(policy.policyName, count);
      const finding = violationText(policy.message);
      this.findings.push(`${policy.policyName} [${level}]: ${finding}`);
      return `policy ${policy.policyName} [${level}]: ${finding.split("\n")[0] ?? ""}`;
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && diagnostic.severity === "error") {
      const text = stripAnsi(diagnostic.message).trim();
      if (text !== "") this.errors.push(text);
      return `error: ${text.split("\n")[0] ?? ""}`;
    }
    const summary = event.summaryEvent;
    if (summary) {
      this.phaseEnded = true;
      this.resourceChanges = { ...(summary.resourceChanges as Record<string, number>) };
      const packs = raw.summaryEvent?.PolicyPacks ?? summary.policyPacks ?? {};
      this.packs = Object.entries(packs).map(([name, version]) => {
        const bare = name.split("|")[0] ?? name;
        return `${bare}@${version.startsWith("v") ? version : `v${version}`}`;
      });
      return `done: ${formatChanges(this.changes())}`;
    }
    return undefined;
  }

  /** Forgets the previous phase's steps, counts and verdicts. */
  private startPhase(): void {
    this.phaseEnded = false;
    this.resourceChanges = undefined;
    this.preOps.clear();
    this.steps.length = 0;
    this.passed.clear();
    this.failed.clear();
    this.violations.clear();
    this.findings.length = 0;
  }

  /** Resources by operation: the engine's summary when it came, else the steps seen. */
  changes(): Record<string, number> {
    const counted: Record<string, number> = {};
    for (const op of OPERATIONS) counted[op] = 0;
    const source =
      this.resourceChanges ??
      Object.fromEntries([...this.preOps].map(([op, n]) => [op, n] as const));
    for (const [op, n] of Object.entries(source)) {
      // A replacement shows as create-replacement and delete-replaced beside replace.
      if (op === "create-replacement" || op === "delete-replaced") continue;
      counted[op] = (counted[op] ?? 0) + n;
    }
    return counted;
  }

  /**
   * Why the run failed: the first error the engine reported, unless that only says the
   * preview or update failed; then the policy findings, if any.
   */
  firstError(): string | undefined {
    const specific = this.errors.find((e) => !GENERIC_FAILURE.test(e));
    if (specific !== undefined) return specific;
    if (this.findings.length > 0) return this.findings.join("\n");
    return this.errors[0];
  }

  /** The stack's summary once its run has ended. */
  summary(
    stack: string,
    part: "core" | "group",
    status: StackStatus,
    durationMs: number,
    error?: string,
  ): StackSummary {
    const policies = [...this.violations]
      .map(([policy, c]) => ({ policy, ...c }))
      .sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
    const failed = new Set(this.failed);
    const passed = [...this.passed].filter((p) => !failed.has(p));
    return {
      stack,
      part,
      status,
      changes: this.changes(),
      policyPacks: this.packs,
      policiesPassed: passed.length,
      policiesFailed: failed.size,
      mandatory: policies.reduce((n, p) => n + p.mandatory, 0),
      advisory: policies.reduce((n, p) => n + p.advisory, 0),
      policies,
      steps: [...this.steps],
      durationMs,
      ...(error !== undefined ? { error } : {}),
    };
  }
}

/** The summary of a stack that did not run. */
export function notRunSummary(
  stack: string,
  part: "core" | "group",
  status: "not-run" | "waits-for-core",
  why: string,
): StackSummary {
  return new StackEvents().summary(stack, part, status, 0, why);
}

/** What the engine reports when a policy, not the program, failed the run. */
const GENERIC_FAILURE = /^(preview|update) failed$/;

/**
 * The violation of a policy event: the engine sends the policy's description, then the
 * violation's own message; the description alone when the violation has none.
 */
export function violationText(message: string): string {
  const lines = stripAnsi(message)
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  return (lines.length > 1 ? lines.slice(1) : lines).join("\n").trim();
}

/** Removes terminal colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** `2 create, 1 update, 40 same`: the non-zero counts. */
export function formatChanges(changes: Readonly<Record<string, number>>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${n} ${op}`);
  return parts.length > 0 ? parts.join(", ") : "no resources";
}

function formatPolicy(s: StackSummary): string {
  if (s.policyPacks.length === 0) return s.status === "ok" ? "no pack ran" : "-";
  if (s.status === "failed" && s.mandatory === 0 && s.policiesFailed === 0) {
    // The run stopped before the pack judged everything.
    return `${s.policyPacks.join(" ")} reported no violation before the run failed (${s.policiesPassed} policies passed)`;
  }
  const verdict =
    s.mandatory > 0
      ? `${s.mandatory} mandatory`
      : s.policiesFailed > 0
        ? `${s.policiesFailed} failed`
        : "passed";
  const advisory = s.advisory > 0 ? `, ${s.advisory} advisory` : "";
  return `${s.policyPacks.join(" ")} ${verdict}${advisory} (${s.policiesPassed} policies passed)`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The organisation's summary: one block per stack, core first. */
export function renderSummary(
  command: "preview" | "up",
  stacks: readonly StackSummary[],
  exitCode: number,
): string[] {
  const lines = [`org ${command}: ${stacks.length} stack${stacks.length === 1 ? "" : "s"}`];
  for (const s of stacks) {
    lines.push("");
    lines.push(
      `${s.stack} (${s.part}): ${s.status}${s.durationMs > 0 ? ` in ${seconds(s.durationMs)}` : ""}`,
    );
    if (s.status === "ok" || s.status === "failed") {
      lines.push(`  changes: ${formatChanges(s.changes)}`);
      lines.push(`  policy:  ${formatPolicy(s)}`);
      for (const p of s.policies) {
        const counts = [
          p.mandatory > 0 ? `${p.mandatory} mandatory` : "",
          p.advisory > 0 ? `${p.advisory} advisory` : "",
        ].filter((c) => c !== "");
        lines.push(`    ${p.policy}: ${counts.join(", ")}`);
      }
    }
    if (s.error !== undefined) {
      const [first, ...rest] = s.error.split("\n");
      lines.push(`  ${s.status === "failed" ? "error" : "why"}: ${first ?? ""}`);
      for (const line of rest.slice(0, 12)) lines.push(`    ${line.trimEnd()}`);
      if (rest.length > 12) lines.push(`    … ${rest.length - 12} more lines`);
    }
  }
  const count = (status: StackStatus) => stacks.filter((s) => s.status === status).length;
  const tally = (["ok", "failed", "not-run", "waits-for-core"] as const)
    .filter((st) => count(st) > 0)
    .map((st) => `${count(st)} ${st}`)
    .join(", ");
  lines.push("", `${tally}; exit ${exitCode}`);
  return lines;
}

/** The `--json` document. */
export interface OrgJson {
  readonly command: "org";
  readonly operation: "preview" | "up";
  readonly version: string;
  readonly exitCode: number;
  readonly core?: string;
  readonly stacks: readonly StackSummary[];
  readonly message?: string;
}
