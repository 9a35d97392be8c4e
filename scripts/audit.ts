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
 */

function fail(message: string): never {
  console.error(`audit: ${message}`);
  process.exit(EXIT.incomplete);
}

async function main(): Promise<void> {
  const parsed = parseAuditArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    console.log(USAGE);
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
  const report = await auditStack({
    stack: args.stack,
    config,
    concurrency: args.concurrency,
    maxKeyAgeDays: args.maxKeyAgeDays,
    now: args.now ?? new Date(),
    packConfig,
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
  process.stdout.write(
    args.json
      ? renderJson(org ? withOrganization(report, org) : report)
      : renderText(report) + (org ? organizationText(org, renderCoverageText) : ""),
  );
  console.error(`audit: ${summaryLine(report)}`);
  process.exitCode = org ? withOrganizationExit(report.exitCode, org) : report.exitCode;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  fail(`could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
