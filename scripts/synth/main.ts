/**
 * `npm run synth`: the command as a function of its arguments and streams, so tests run it in
 * process exactly as the shell does. Validates (stack file, config), plans (the program on the
 * mock runtime, the policy verdicts, the files, the diff), then materializes (writes only files
 * it owns) and reports, as text or as JSON.
 */
import { resolve } from "node:path";
import { formatUsage, parseCommandLine, type CommandSpec } from "../../lib/cli/command-line";
import { colorEnabled, painter, startProgress, type OutputStream } from "../../lib/cli/terminal";
import { checkStackFile } from "../../lib/config/check";
import {
  ConfigError,
  formatProblems,
  problemLine,
  type ConfigProblem,
} from "../../lib/errors/config-error";
import { hasMandatoryViolation, verdictSummary, type GuardReport } from "../../lib/guard";
import { renderSynthDiff } from "../../lib/synth-diff/render-diff";
import { synthDiff, type SynthDiff } from "../../lib/synth-diff/synth-diff";
import * as pulumi from "@pulumi/pulumi";
import { displayPath, packageVersion, readPackConfig, readStackText } from "../inputs";
import { formatRefusals, writeOutput } from "../output/write-files";
import { stackAcknowledgements } from "./artifacts";
import { synthPartOf, type OrgSynth } from "./org-stack";
import { previousFromDirectory, previousFromGit, snapshotOf, type Previous } from "./previous";
import { synthStack } from "./synth-stack";

/** The synth command's options. */
export const SYNTH_COMMAND: CommandSpec = {
  invocation: "npm run synth --",
  operand: "stack",
  description: `Runs the program on Pulumi's mock runtime with stacks/Pulumi.<STACK>.yaml and writes every
resource, every IAM document, a report, the Terraform handoff and the CI pipeline templates to
DIR. Then runs the policy pack's checks on the resources and prints a summary. No credentials
and no Pulumi CLI are needed. It writes only files it generated (listed in DIR/.tf-bootstrap-files.json)
and stops, writing nothing, when another file or one changed since is in the way.

An account-group stack of a split organisation (orgStack.part: group) reads its core stack's
outputs: the synth computes them from the core's stack file (Pulumi.<orgStack.core>.yaml in the
same directory), not from the deployed core stack. The Terraform handoff, the CI templates and
the topology picture belong to the core stack and are not written for a group.`,
  options: [
    {
      name: "stack",
      short: "s",
      type: "string",
      value: "NAME",
      description: "the stack (default: example); also the first operand",
    },
    {
      name: "out",
      short: "o",
      type: "string",
      value: "DIR",
      description: "where to write (default: out/<STACK>)",
    },
    {
      name: "stacks-dir",
      type: "string",
      value: "DIR",
      description: "where Pulumi.<STACK>.yaml lives (default: stacks/)",
    },
    {
      name: "policy-pack-config",
      type: "string",
      value: "FILE",
      description: "the policy pack's JSON config, as `pulumi preview --policy-pack-config`",
    },
    {
      name: "diff",
      type: "boolean",
      description: "print what changed since the previous synth in DIR",
    },
    {
      name: "diff-ref",
      type: "string",
      value: "REF",
      description: "print what changed since the stack file at git REF (implies --diff)",
    },
    {
      name: "json",
      type: "boolean",
      description: "print the verdict as JSON on stdout (summary, policies, problems, diff)",
    },
  ],
  exitCodes: `exit codes: 0 done; 1 a mandatory policy violation; 2 the config is invalid, a file is in
the way, or the program could not run.`,
};

/** The streams and environment the command runs with. */
export interface CommandIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The `--json` document. */
export interface SynthJson {
  readonly command: "synth";
  readonly version: string;
  readonly stack?: string;
  readonly out?: string;
  readonly exitCode: number;
  /** `ok`, `blocked` (mandatory violation), `invalid` (config or arguments), `refused` (a file in the way), `failed`. */
  readonly verdict: "ok" | "blocked" | "invalid" | "refused" | "failed";
  readonly message?: string;
  readonly problems?: readonly ConfigProblem[];
  readonly warnings?: readonly ConfigProblem[];
  readonly resources?: number;
  readonly accounts?: number;
  readonly files?: {
    readonly written: number;
    readonly unchanged: number;
    readonly removed: number;
  };
  readonly refusals?: readonly { path: string; reason: string; fix: string }[];
  readonly policies?: readonly {
    readonly name: string;
    readonly level: string;
    readonly findings: readonly { id: string; resource?: string; message: string }[];
  }[];
  readonly diff?: SynthDiff & { readonly against: string };
  /** Safeguards the stack lifts on purpose (such as `acknowledgeIamWithoutBoundary`). */
  readonly acknowledgements?: readonly { readonly setting: string; readonly message: string }[];
  /** The stack's part in an organisation split across stacks (absent for a whole stack). */
  readonly org?: {
    readonly part: "core" | "group";
    /** group: the core stack it reads, and the stack file its outputs were computed from. */
    readonly core?: string;
    readonly coreOutputsFrom?: string;
    /** What is not written for this part, and why. */
    readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  };
}

function orgJson(org: OrgSynth): SynthJson["org"] {
  const part = org.part;
  if (part.kind === "whole") return undefined;
  return {
    part: part.kind,
    ...(part.kind === "group" ? { core: part.core } : {}),
    ...(org.coreOutputsFrom !== undefined ? { coreOutputsFrom: org.coreOutputsFrom } : {}),
    skipped: org.skipped,
  };
}

/** The lines the command prints about the stack's part in its organisation. */
function orgLines(stack: string, org: OrgSynth): string[] {
  const part = org.part;
  if (part.kind === "whole") return [];
  if (part.kind === "core") {
    return [
      `synth: '${stack}' is the core stack of a split organisation: the Terraform account, and orgCore listing ${part.accounts} product accounts for the account-group stacks`,
    ];
  }
  return [
    `synth: '${stack}' is an account-group stack of '${part.core}': the core stack's outputs came from ${org.coreOutputsFrom ?? "its stack file"}, synthesized offline, not from the deployed stack`,
    ...org.skipped.map(
      (s) => `synth: not written for an account-group stack: ${s.path}: ${s.reason}`,
    ),
  ];
}

function policiesJson(verdicts: GuardReport): SynthJson["policies"] {
  return verdicts.verdicts.map((v) => ({
    name: v.policy.name,
    level: v.level,
    findings: v.findings.map((f) => ({
      id: f.id,
      ...(f.resource ? { resource: f.resource.name } : {}),
      message: f.message,
    })),
  }));
}

/** Runs the command; resolves to its exit code. */
export async function runSynth(argv: readonly string[], io: CommandIo): Promise<number> {
  const paint = painter(colorEnabled(io.stderr, io.env));
  const paintOut = painter(colorEnabled(io.stdout, io.env));
  const parsed = parseCommandLine(SYNTH_COMMAND, argv);
  if (parsed.kind === "help") {
    io.stdout.write(`${formatUsage(SYNTH_COMMAND)}\n`);
    return 0;
  }
  if (parsed.kind === "version") {
    io.stdout.write(`tf-bootstrap ${packageVersion()}\n`);
    return 0;
  }
  const json = parsed.kind === "run" && parsed.values.json === true;
  const base = { command: "synth" as const, version: packageVersion() };
  const finish = (report: SynthJson, text: string[], errors: string[]): number => {
    if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else for (const line of text) io.stdout.write(`${line}\n`);
    for (const line of errors) io.stderr.write(`${line}\n`);
    return report.exitCode;
  };
  const invalid = (message: string, extra: Partial<SynthJson> = {}) =>
    finish(
      { ...base, ...extra, exitCode: 2, verdict: "invalid", message },
      [],
      [`${paint("error", "synth:")} ${message}`],
    );
  if (parsed.kind === "error") {
    return invalid(`${parsed.message}\n\n${formatUsage(SYNTH_COMMAND)}`);
  }
  const values = parsed.values;
  const stack = typeof values.stack === "string" ? values.stack : "example";
  const stacksDir = values["stacks-dir"] as string | undefined;
  const read = readStackText(stack, stacksDir);
  if (!read.ok) return invalid(read.message, { stack });

  const checked = checkStackFile(read.text, read.display);
  const warnings = checked.warnings;
  const warningLines = warnings.map(
    (w) => `${paint("warning", "synth: warning:")} ${problemLine(w)}`,
  );
  if (!checked.ok) {
    return finish(
      { ...base, stack, exitCode: 2, verdict: "invalid", problems: checked.problems, warnings },
      [],
      [...warningLines, paint("error", formatProblems(checked.problems, read.display))],
    );
  }
  const pack = readPackConfig(values["policy-pack-config"] as string | undefined);
  if (!pack.ok) return invalid(pack.message, { stack, warnings });

  const out = resolve(
    typeof values.out === "string" ? values.out : resolve(__dirname, "..", "..", "out", stack),
  );
  const outShown = displayPath(out);
  const progress = startProgress(io.stderr, "synth");
  try {
    let registered = 0;
    const synth = await synthStack({
      stack,
      flat: checked.flat,
      config: checked.config,
      readStack: (name) => readStackText(name, stacksDir),
      packConfig: pack.config,
      observe: () => {
        registered += 1;
        if (registered % 25 === 0) progress.update(`running the program: ${registered} resources`);
      },
    });
    if (!synth.ok) {
      progress.stop();
      return finish(
        {
          ...base,
          stack,
          exitCode: 2,
          verdict: "invalid",
          message: synth.message,
          ...(synth.problems ? { problems: synth.problems } : {}),
          warnings,
        },
        [],
        [...warningLines, `${paint("error", "synth:")} ${synth.message}`],
      );
    }
    const { result, verdicts, files, org } = synth;

    let diff: (SynthDiff & { against: string }) | undefined;
    const ref = values["diff-ref"];
    if (values.diff === true || typeof ref === "string") {
      progress.update("comparing with the previous synth");
      const previous: Previous =
        typeof ref === "string"
          ? await previousFromGit(read.path, stack, ref, (name) => readStackText(name, stacksDir))
          : previousFromDirectory(
              out,
              files.map((f) => f.path),
            );
      if (!previous.ok) {
        progress.stop();
        return invalid(previous.message, { stack, warnings });
      }
      diff = { ...synthDiff(previous.snapshot, snapshotOf(files)), against: previous.label };
    }

    progress.update(`writing ${files.length} files`);
    const written = writeOutput(out, files, "synth");
    progress.stop();
    if (!written.ok) {
      return finish(
        {
          ...base,
          stack,
          out,
          exitCode: 2,
          verdict: "refused",
          refusals: written.refusals,
          warnings,
        },
        [],
        [
          ...warningLines,
          `${paint("error", "synth:")} ${formatRefusals(outShown, written.refusals)}`,
        ],
      );
    }
    const custom = result.resources.filter((r) => r.custom);
    const accounts = new Set(custom.map((r) => r.account).filter(Boolean));
    const blocked = hasMandatoryViolation(verdicts);
    const exitCode = blocked ? 1 : 0;
    const summary = verdictSummary(verdicts);
    const acknowledgements = stackAcknowledgements(result);
    const text = [
      `synth: stack '${stack}': ${custom.length} resources in ${accounts.size} accounts; ${written.written.length} files written, ${written.unchanged.length} unchanged, ${written.removed.length} removed in ${outShown}`,
      `synth: ${summary.replace(/verdict: (BLOCKED|ok)$/, (_, v: string) => `verdict: ${paintOut(v === "ok" ? "ok" : "error", v)}`)}`,
      ...orgLines(stack, org),
      ...acknowledgements.map(
        (a) => `synth: ${paintOut("warning", "acknowledged risk:")} ${a.setting}: ${a.message}`,
      ),
      ...(diff ? ["", renderSynthDiff(diff, diff.against)] : []),
    ];
    const errors = [
      ...warningLines,
      ...(blocked
        ? [
            `${paint("error", "synth:")} a mandatory policy would block \`pulumi preview\`; see "Policy verdicts" in ${displayPath(resolve(out, "report.md"))}`,
          ]
        : []),
    ];
    return finish(
      {
        ...base,
        stack,
        out,
        exitCode,
        verdict: blocked ? "blocked" : "ok",
        warnings,
        resources: custom.length,
        accounts: accounts.size,
        files: {
          written: written.written.length,
          unchanged: written.unchanged.length,
          removed: written.removed.length,
        },
        policies: policiesJson(verdicts),
        acknowledgements,
        ...(org.part.kind !== "whole" ? { org: orgJson(org) } : {}),
        ...(diff ? { diff } : {}),
      },
      text,
      errors,
    );
  } catch (error) {
    progress.stop();
    if (pulumi.RunError.isInstance(error)) {
      // The program's own check failed: an account-group stack that its core stack does not admit.
      const part = synthPartOf(checked.config);
      const from =
        part.kind === "group"
          ? `\nThe core stack's outputs were computed from its stack file, Pulumi.${part.coreStack}.yaml, not read from the deployed stack.`
          : "";
      const message = `${error.message}${from}`;
      return finish(
        { ...base, stack, exitCode: 2, verdict: "invalid", message, warnings },
        [],
        [...warningLines, `${paint("error", "synth:")} ${message}`],
      );
    }
    if (error instanceof ConfigError) {
      return finish(
        { ...base, stack, exitCode: 2, verdict: "invalid", problems: error.problems, warnings },
        [],
        [...warningLines, paint("error", error.message)],
      );
    }
    const detail =
      io.env.TFB_SYNTH_STACKS === "1" && error instanceof Error
        ? (error.stack ?? error.message)
        : error instanceof Error
          ? error.message
          : String(error);
    return finish(
      { ...base, stack, exitCode: 2, verdict: "failed", message: detail },
      [],
      [`${paint("error", "synth:")} could not run the program: ${detail}`],
    );
  }
}
