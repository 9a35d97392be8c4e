/**
 * Reads the engine's event log (`pulumi preview|up --event-log FILE`: one JSON engine event per
 * line, `apitype.EngineEvent` in the Pulumi SDK) into what the engine suite asserts on: the
 * steps, the policy pack's verdicts and the run's summary.
 */

/** One step's resource state, as the event carries it. */
export interface StepState {
  readonly type: string;
  readonly urn: string;
  readonly custom?: boolean;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** One engine event; only the kinds the suite reads are typed. */
export interface EngineEvent {
  readonly sequence: number;
  readonly resourcePreEvent?: {
    readonly metadata: {
      readonly op: string;
      readonly urn: string;
      readonly type: string;
      readonly old?: StepState | null;
      readonly new?: StepState | null;
      readonly keys?: string[];
      readonly diffs?: string[];
    };
  };
  readonly policyEvent?: {
    readonly resourceUrn?: string;
    readonly message: string;
    readonly policyName: string;
    readonly policyPackName: string;
    readonly enforcementLevel: string;
  };
  readonly policyAnalyzeSummaryEvent?: {
    readonly resourceUrn: string;
    readonly policyPackName: string;
    readonly passed?: string[];
    readonly failed?: string[];
  };
  readonly policyAnalyzeStackSummaryEvent?: {
    readonly policyPackName: string;
    readonly passed?: string[];
    readonly failed?: string[];
  };
  readonly diagnosticEvent?: {
    readonly urn?: string;
    readonly message: string;
    readonly severity: string;
  };
  readonly summaryEvent?: {
    readonly durationSeconds: number;
    readonly resourceChanges: Record<string, number>;
    readonly PolicyPacks: Record<string, string>;
    readonly isPreview: boolean;
    readonly result?: string;
  };
}

/** Parses an event log; a line that is not JSON is a broken log and throws. */
export function parseEventLog(text: string): EngineEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as EngineEvent;
      } catch {
        throw new Error(`event log line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** A step the engine planned or took. */
export interface Step {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  /** The resource's name (the URN's last part). */
  readonly name: string;
  readonly custom: boolean;
  /** Keys that changed (updates) or force the replacement (replaces). */
  readonly diffs: readonly string[];
  readonly old?: StepState | null;
  readonly new?: StepState | null;
}

/** The resource name of a URN (`urn:pulumi:stack::project::type::name`). */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Every step of the run, in order; the stack resource included. */
export function steps(events: readonly EngineEvent[]): Step[] {
  return events.flatMap((e) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m) return [];
    const state = m.new ?? m.old;
    return [
      {
        op: m.op,
        urn: m.urn,
        type: m.type,
        name: nameOfUrn(m.urn),
        custom: state?.custom === true,
        diffs: m.diffs ?? m.keys ?? [],
        old: m.old,
        new: m.new,
      },
    ];
  });
}

/** The steps of `op`, as `type::name` keys, sorted. */
export function stepKeys(events: readonly EngineEvent[], op: string): string[] {
  return steps(events)
    .filter((s) => s.op === op)
    .map((s) => `${s.type}::${s.name}`)
    .sort();
}

/** Every policy violation the pack reported. */
export function violations(events: readonly EngineEvent[]) {
  return events.flatMap((e) => (e.policyEvent ? [e.policyEvent] : []));
}

/** The policies that passed and failed, over every resource and the stack, by pack. */
export function policyVerdicts(
  events: readonly EngineEvent[],
  pack: string,
): { passed: Set<string>; failed: Set<string> } {
  const passed = new Set<string>();
  const failed = new Set<string>();
  for (const e of events) {
    const summary = e.policyAnalyzeSummaryEvent ?? e.policyAnalyzeStackSummaryEvent;
    if (!summary || summary.policyPackName !== pack) continue;
    for (const p of summary.passed ?? []) passed.add(p);
    for (const p of summary.failed ?? []) failed.add(p);
  }
  for (const p of failed) passed.delete(p);
  return { passed, failed };
}

/** The summary event, which every complete run ends with. */
export function summary(events: readonly EngineEvent[]) {
  return events.find((e) => e.summaryEvent)?.summaryEvent;
}
