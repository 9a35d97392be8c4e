import { EXIT, parseAuditArgs, renderJson, renderText, summaryLine, USAGE } from "../lib/audit";
import { decodePulumiConfig, loadStackConfig } from "../lib/config/parse";
import { ConfigError } from "../lib/errors/config-error";
import { renderCoverageText } from "../lib/org/coverage";
import {
  auditOrganization,
  organizationText,
  withOrganization,
  withOrganizationExit,
} from "./aws/audit-organization";
import { auditStack } from "./aws/audit-stack";
import { readPackConfig, readStackFile } from "./inputs";

/**
 * `npm run audit -- --stack NAME`: reads every account of the stack through the audit role and
 * reports drift and policy violations of the live state (docs/audit.md). Thin: arguments and
 * files here, SDK calls in scripts/aws/, every judgement in lib/audit/.
 *
 * SIGINT and SIGTERM stop the reads: the report of what was read is printed and the exit code is
 * 2; a second signal exits at once. Nothing prints a stack trace: a failure the audit does not
 * expect is one line, with the stack only when TF_BOOTSTRAP_DEBUG is set.
 */

const DEBUG = process.env.TF_BOOTSTRAP_DEBUG !== undefined && process.env.TF_BOOTSTRAP_DEBUG !== "";

/** Writes `text` to stdout and exits with `code` once it is flushed. */
function finish(text: string, code: number): void {
  process.stdout.write(text, () => process.exit(code));
}

function fail(message: string): never {
  console.error(`audit: ${message}`);
  process.exit(EXIT.incomplete);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return DEBUG ? (error.stack ?? error.message) : `${error.name}: ${error.message}`;
}

/** SIGINT and SIGTERM abort `run` once; a second one exits. */
function onSignals(run: AbortController): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (run.signal.aborted) {
        console.error(`audit: ${signal} again: exiting without a report`);
        process.exit(EXIT.incomplete);
      }
      console.error(`audit: ${signal}: stopping; the report shows what was read`);
      run.abort(signal);
    });
  }
}

async function main(): Promise<void> {
  const parsed = parseAuditArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    finish(`${USAGE}\n`, 0);
    return;
  }
  if (parsed.kind === "error") fail(`${parsed.message}\n\n${USAGE}`);
  const args = parsed.args;
  const stackFile = readStackFile(args.stack, args.stacksDir);
  if (!stackFile.ok) fail(stackFile.message);
  const config = loadStackConfig(decodePulumiConfig(stackFile.flat), stackFile.path);
  const pack = readPackConfig(args.policyPackConfig);
  if (!pack.ok) fail(pack.message);
  const packConfig = pack.config;
  if (args.endpoint !== undefined) {
    console.error(`audit: sending every AWS request to ${args.endpoint} (test/dev only)`);
  }
  const run = new AbortController();
  onSignals(run);
  const report = await auditStack({
    stack: args.stack,
    config,
    concurrency: args.concurrency,
    maxKeyAgeDays: args.maxKeyAgeDays,
    now: args.now ?? new Date(),
    packConfig,
    limits: args.limits,
    signal: run.signal,
    ...(args.auditRole !== undefined ? { auditRole: args.auditRole } : {}),
    ...(args.endpoint !== undefined ? { endpoint: args.endpoint } : {}),
    progress: (line) => console.error(`audit: ${line}`),
  });
  // The organization check (scripts/aws/audit-organization.ts), when asked for.
  const org = args.organization
    ? await auditOrganization({
        config,
        ...(args.organizationIgnore ? { ignore: args.organizationIgnore } : {}),
        ...(args.endpoint !== undefined ? { endpoint: args.endpoint } : {}),
      })
    : undefined;
  console.error(`audit: ${summaryLine(report)}`);
  // Exits explicitly: requests of accounts that were stopped may still be backing off.
  finish(
    args.json
      ? renderJson(org ? withOrganization(report, org) : report)
      : renderText(report) + (org ? organizationText(org, renderCoverageText) : ""),
    org ? withOrganizationExit(report.exitCode, org) : report.exitCode,
  );
}

process.on("unhandledRejection", (error: unknown) => {
  fail(`could not run: unexpected failure: ${describe(error)}`);
});

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  fail(`could not run: ${describe(error)}`);
});
