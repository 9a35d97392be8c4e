/**
 * The synth of a stack of an organisation split across stacks (docs/org-stacks.md): which part
 * the stack plays, the core stack's outputs an account-group stack reads (computed from the
 * core's own stack file, offline), which files apply to the part, and the report section that
 * says so.
 */
import { checkStackFile } from "../../lib/config/check";
import type { TopologyConfig } from "../../lib/config/parse";
import { formatProblems, type ConfigProblem } from "../../lib/errors/config-error";
import { CORE_OUTPUT } from "../../lib/org-stacks/core-contract";
import type { StackTextResult } from "../inputs";
import { synthesize } from "./mock-runtime";

/** The stack's part, as the synth treats it. */
export type SynthPart =
  | { readonly kind: "whole" }
  | { readonly kind: "core"; readonly handOver: boolean; readonly accounts: number }
  | {
      readonly kind: "group";
      /** `orgStack.core` as configured (`acme-core`, or `project/acme-core`, ...). */
      readonly core: string;
      /** The core stack's name: the last part of {@link core}, which names its stack file. */
      readonly coreStack: string;
      readonly accounts: number;
    };

/** The part of a validated config. */
export function synthPartOf(config: TopologyConfig): SynthPart {
  const org = config.orgStack;
  if (org === undefined) return { kind: "whole" };
  if (org.part === "core")
    return { kind: "core", handOver: org.handOver, accounts: config.productAccounts.length };
  const core = org.core ?? "";
  return {
    kind: "group",
    core,
    coreStack: core.slice(core.lastIndexOf("/") + 1),
    accounts: config.productAccounts.length,
  };
}

/** The core stack's outputs for a group's StackReference, or why they cannot be had. */
export type CoreOutputs =
  | {
      readonly ok: true;
      /** The stack file the outputs were computed from, as shown to the user. */
      readonly file: string;
      readonly outputs: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly problems?: readonly ConfigProblem[];
    };

/**
 * The outputs of the core stack `part.core`, computed by running the program on the core's
 * stack file (read with `readStack`) on the mock runtime: what the deployed core stack exports
 * when it was deployed from that file.
 */
export async function coreOutputsFor(
  stack: string,
  part: Extract<SynthPart, { kind: "group" }>,
  readStack: (name: string) => StackTextResult,
): Promise<CoreOutputs> {
  const read = readStack(part.coreStack);
  if (!read.ok) {
    return {
      ok: false,
      message:
        `the account-group stack '${stack}' reads the outputs of its core stack '${part.core}' ` +
        `(orgStack.core), and the synth computes them from the core's stack file: ${read.message}. ` +
        `Fix: put the core stack's file Pulumi.${part.coreStack}.yaml next to this one (or pass ` +
        `--stacks-dir where both live), or correct orgStack.core.`,
    };
  }
  const checked = checkStackFile(read.text, read.display);
  if (!checked.ok) {
    return {
      ok: false,
      message:
        `the core stack '${part.core}' of the account-group stack '${stack}' is invalid, so its ` +
        `outputs cannot be computed:\n${formatProblems(checked.problems, read.display)}`,
      problems: checked.problems,
    };
  }
  const corePart = checked.config.orgStack?.part;
  if (corePart !== "core") {
    return {
      ok: false,
      message:
        `${read.display} is not a core stack (its orgStack.part is ${corePart ?? "not set: it holds a whole organisation"}), ` +
        `but the account-group stack '${stack}' names it in orgStack.core. Fix: set orgStack: ` +
        `{ part: core } in ${read.display}, or point orgStack.core at the organisation's core stack.`,
    };
  }
  const result = await synthesize(checked.flat, { stack: part.coreStack });
  if (result.outputs[CORE_OUTPUT] === undefined) {
    throw new Error(`bug: the core stack ${part.coreStack} exported no ${CORE_OUTPUT}`);
  }
  return { ok: true, file: read.display, outputs: result.outputs };
}

/** A file (or set of files) the synth does not write for a stack's part, and why. */
export interface Skipped {
  readonly path: string;
  readonly reason: string;
}

/** The synth's account of a stack's part in its organisation. */
export interface OrgSynth {
  readonly part: SynthPart;
  /** group: the stack file the core stack's outputs were computed from. */
  readonly coreOutputsFrom?: string;
  readonly skipped: readonly Skipped[];
}

/** What the synth does not write for `part`, one reason each. */
export function skippedFor(part: SynthPart): Skipped[] {
  if (part.kind !== "group") return [];
  return [
    {
      path: "terraform/, ci/",
      reason: `the Terraform handoff and the CI templates belong to the core stack ${part.core}, which lists every workspace of the organisation (npm run synth -- ${part.coreStack})`,
    },
    {
      path: "topology.dot, topology.svg, topology.html",
      reason: `the picture of the organisation is drawn from the core stack ${part.core}, which plans every account; this stack holds ${part.accounts === 1 ? "one account" : `${part.accounts} accounts`} of it`,
    },
  ];
}

/** The report's section on the stack's part; empty for a stack that holds a whole organisation. */
export function renderOrgSection(org: OrgSynth): string {
  const part = org.part;
  if (part.kind === "whole") return "";
  if (part.kind === "core") {
    return [
      "## Organisation: core stack",
      "",
      `This is the core stack of an organisation split across stacks: it builds the Terraform account (state, trail, CI identities and CI roles) and exports \`${CORE_OUTPUT}\`, which lists the ${part.accounts} product accounts its CI roles may assume.`,
      part.handOver
        ? "With `orgStack.handOver: true` it also still registers the product accounts' roles, retained in AWS when they leave this stack, while the account-group stacks adopt them."
        : "The product accounts' Terraform and plan roles are built by the account-group stacks that name this stack in `orgStack.core` (`npm run org -- report` lists them).",
      "The Terraform handoff, the CI templates and the topology picture cover every account of the organisation.",
      "",
    ].join("\n");
  }
  return [
    `## Organisation: account-group stack of \`${part.core}\``,
    "",
    `This account-group stack builds the Terraform and plan roles of its ${part.accounts === 1 ? "one product account" : `${part.accounts} product accounts`} only.`,
    `The core stack's outputs (\`${CORE_OUTPUT}\`) it reads through a StackReference came from ${org.coreOutputsFrom ?? "the core stack's file"}, synthesized offline with this program, not from the deployed core stack. \`pulumi preview\` reads the deployed core stack: deploy the core first (\`npm run org -- up\` does).`,
    "",
    "Not written for an account-group stack:",
    "",
    ...org.skipped.map((s) => `- ${s.path}: ${s.reason}.`),
    "",
  ].join("\n");
}
