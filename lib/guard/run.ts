/**
 * Running guard policies: config, exceptions, and verdicts. One implementation for the pack
 * (one policy at a time, as CrossGuard calls it) and the offline synth (every policy at once).
 */
import {
  ENFORCEMENT_LEVELS,
  parsePolicyConfig,
  type EnforcementLevel,
  type GuardException,
} from "./config";
import { Findings, type Finding } from "./finding";
import {
  GUARD_POLICIES,
  type GuardPolicy,
  type ResourceGuardPolicy,
  type StackGuardPolicy,
} from "./policies";
import { NO_INTENT, type IntentRead } from "./intent";
import { deriveTopology } from "./topology";
import type { ResourceView, StackView } from "./view";

/** The id of the finding reported for an invalid policy config; it cannot be excepted. */
export const CONFIG_INVALID = "Config::Invalid";

/** A finding accepted by an exception. */
export interface AcceptedFinding {
  readonly finding: Finding;
  readonly exception: GuardException;
}

/** What one policy found. */
export interface PolicyRun {
  /** Findings that stand (not accepted). */
  readonly findings: readonly Finding[];
  readonly accepted: readonly AcceptedFinding[];
}

function matches(exception: GuardException, finding: Finding): boolean {
  if (exception.id !== finding.id || finding.id === CONFIG_INVALID) return false;
  if (exception.resource === undefined) return true;
  return (
    finding.resource !== undefined &&
    (exception.resource === finding.resource.name || exception.resource === finding.resource.urn)
  );
}

/** Splits findings into those that stand and those an exception accepts. */
export function applyExceptions(
  findings: readonly Finding[],
  exceptions: readonly GuardException[],
): PolicyRun {
  const stand: Finding[] = [];
  const accepted: AcceptedFinding[] = [];
  for (const finding of findings) {
    const exception = exceptions.find((e) => matches(e, finding));
    if (exception) accepted.push({ finding, exception });
    else stand.push(finding);
  }
  return { findings: stand, accepted };
}

function configured(
  policy: GuardPolicy,
  rawConfig: unknown,
): { exceptions: readonly GuardException[]; terraformAccountId?: string; invalid?: Finding } {
  const parsed = parsePolicyConfig(rawConfig);
  if (parsed.ok) return parsed.config;
  return {
    exceptions: [],
    invalid: {
      policy: policy.name,
      id: CONFIG_INVALID,
      message:
        `The config of policy '${policy.name}' is invalid, so it runs with no exceptions: ` +
        `${parsed.problems.join("; ")}. Fix the policy pack config (docs/policies.md).`,
    },
  };
}

/** Runs a stack policy on `view` with its config (as CrossGuard's `getConfig()` returns it). */
export function runStackPolicy(
  policy: StackGuardPolicy,
  view: StackView,
  rawConfig?: unknown,
  intent: IntentRead = NO_INTENT,
): PolicyRun {
  const config = configured(policy, rawConfig);
  const topology = deriveTopology(view, {
    intent,
    ...(config.terraformAccountId !== undefined
      ? { terraformAccountId: config.terraformAccountId }
      : {}),
  });
  const out = new Findings(policy.name);
  if (policy.parts.includes(topology.part)) policy.check(topology, out);
  const run = applyExceptions(out.list(), config.exceptions);
  return config.invalid ? { ...run, findings: [config.invalid, ...run.findings] } : run;
}

/** Runs a resource policy on one resource with its config. */
export function runResourcePolicy(
  policy: ResourceGuardPolicy,
  resource: ResourceView,
  rawConfig?: unknown,
): PolicyRun {
  const config = configured(policy, rawConfig);
  const out = new Findings(policy.name);
  policy.check(resource, out);
  const run = applyExceptions(out.list(), config.exceptions);
  return config.invalid ? { ...run, findings: [config.invalid, ...run.findings] } : run;
}

/** One policy's verdict on a stack. */
export interface PolicyVerdict extends PolicyRun {
  readonly policy: GuardPolicy;
  readonly level: EnforcementLevel;
}

/** Every policy's verdict on a stack. */
export interface GuardReport {
  readonly verdicts: readonly PolicyVerdict[];
}

/**
 * A policy pack config file's entry for one policy: a level, or `{ enforcementLevel?, ...config }`
 * (the shape `pulumi preview --policy-pack-config` reads).
 */
function splitEntry(entry: unknown): { level?: EnforcementLevel; config: unknown } {
  if (typeof entry === "string") {
    return (ENFORCEMENT_LEVELS as readonly string[]).includes(entry)
      ? { level: entry as EnforcementLevel, config: {} }
      : { config: { enforcementLevel: entry } };
  }
  if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
    const { enforcementLevel, ...config } = entry as Record<string, unknown>;
    if (enforcementLevel === undefined) return { config };
    return (ENFORCEMENT_LEVELS as readonly string[]).includes(enforcementLevel as string)
      ? { level: enforcementLevel as EnforcementLevel, config }
      : { config: { ...config, enforcementLevel } };
  }
  return { config: entry };
}

/**
 * Runs every guard policy on `view`, the way the pack would in one preview, with an optional
 * policy pack config (`{ "<policy>": level | { enforcementLevel?, ...config }, "all"?: level }`)
 * and the stack's intent (what the pack learns from the stack config the engine sends it).
 */
export function runGuard(
  view: StackView,
  packConfig: Readonly<Record<string, unknown>> = {},
  intent: IntentRead = NO_INTENT,
): GuardReport {
  const all = splitEntry(packConfig.all).level;
  const verdicts = GUARD_POLICIES.map((policy): PolicyVerdict => {
    const entry = splitEntry(packConfig[policy.name]);
    const level = entry.level ?? all ?? policy.defaultLevel;
    if (level === "disabled") return { policy, level, findings: [], accepted: [] };
    if (policy.scope === "stack") {
      return { policy, level, ...runStackPolicy(policy, view, entry.config, intent) };
    }
    const findings: Finding[] = [];
    const accepted: AcceptedFinding[] = [];
    for (const resource of view.resources) {
      const run = runResourcePolicy(policy, resource, entry.config);
      findings.push(...run.findings);
      accepted.push(...run.accepted);
    }
    const unique = findings.filter(
      (f, i) => f.id !== CONFIG_INVALID || findings.findIndex((g) => g.id === CONFIG_INVALID) === i,
    );
    return { policy, level, findings: unique, accepted };
  });
  return { verdicts };
}

/** Whether a report holds a mandatory (or remediate, which CrossGuard treats so) violation. */
export function hasMandatoryViolation(report: GuardReport): boolean {
  return report.verdicts.some(
    (v) => (v.level === "mandatory" || v.level === "remediate") && v.findings.length > 0,
  );
}
