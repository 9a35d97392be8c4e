/**
 * One stack's synth, whatever its part in the organisation: a whole stack, a core stack, or an
 * account-group stack (whose StackReference to its core is answered with the outputs of the
 * core synthesized from its own stack file). Shared by the command and by `--diff-ref`, which
 * synthesizes the stack file as it was at a git ref.
 */
import type { TopologyConfig } from "../../lib/config/parse";
import type { ConfigProblem } from "../../lib/errors/config-error";
import type { GuardReport } from "../../lib/guard";
import type { StackTextResult } from "../inputs";
import { policyVerdicts, synthFiles, type Artifact } from "./artifacts";
import { synthesize, type SynthResult } from "./mock-runtime";
import { coreOutputsFor, skippedFor, synthPartOf, type OrgSynth } from "./org-stack";

/** A stack's synth, or why its core stack's outputs could not be computed. */
export type StackSynth =
  | {
      readonly ok: true;
      readonly result: SynthResult;
      readonly verdicts: GuardReport;
      readonly files: Artifact[];
      readonly org: OrgSynth;
    }
  | { readonly ok: false; readonly message: string; readonly problems?: readonly ConfigProblem[] };

/** What {@link synthStack} needs. */
export interface StackSynthInput {
  readonly stack: string;
  readonly flat: Readonly<Record<string, string>>;
  readonly config: TopologyConfig;
  /** Reads another stack's file (an account-group stack's core). */
  readonly readStack: (name: string) => StackTextResult;
  readonly packConfig?: Readonly<Record<string, unknown>>;
  readonly observe?: (type: string, name: string) => void;
}

/**
 * Runs the program for the stack on the mock runtime and builds every file the synth writes.
 * Throws what the program throws (a ConfigError, or a RunError when an account-group stack does
 * not match its core stack).
 */
export async function synthStack(input: StackSynthInput): Promise<StackSynth> {
  const part = synthPartOf(input.config);
  let stackOutputs: Record<string, Readonly<Record<string, unknown>>> | undefined;
  let coreOutputsFrom: string | undefined;
  if (part.kind === "group") {
    const core = await withProgramRejections(() =>
      coreOutputsFor(input.stack, part, input.readStack),
    );
    if (!core.ok) return core;
    stackOutputs = { [part.core]: core.outputs };
    coreOutputsFrom = core.file;
  }
  const result = await withProgramRejections(() =>
    synthesize(input.flat, {
      stack: input.stack,
      ...(input.observe ? { observe: input.observe } : {}),
      ...(stackOutputs ? { stackOutputs } : {}),
    }),
  );
  const org: OrgSynth = {
    part,
    ...(coreOutputsFrom !== undefined ? { coreOutputsFrom } : {}),
    skipped: skippedFor(part),
  };
  const verdicts = policyVerdicts(input.stack, result, input.packConfig ?? {});
  return { ok: true, result, verdicts, files: synthFiles(input.stack, result, verdicts, org), org };
}

/**
 * Runs `fn`, a run of the program on the mock runtime, keeping the promises a failing program
 * leaves rejected from ending the process. An Output whose apply throws (as the group's check
 * against its core does) rejects the promises derived from it, which nothing awaits; the
 * engine's language host collects them, and so does this, until the run has settled. The run
 * itself still rejects with the program's error.
 */
export async function withProgramRejections<T>(fn: () => Promise<T>): Promise<T> {
  const swallow = () => undefined;
  process.on("unhandledRejection", swallow);
  try {
    return await fn();
  } finally {
    // Node reports unhandled rejections after the microtask queue drains: wait for that.
    await new Promise((resolve) => setImmediate(resolve));
    process.removeListener("unhandledRejection", swallow);
  }
}
