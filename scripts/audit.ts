import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT, parseAuditArgs, renderJson, renderText, summaryLine, USAGE } from "../lib/audit";
import { decodePulumiConfig, loadStackConfig } from "../lib/config/parse";
import { flatConfigFromStackFile } from "../lib/config/stack-file";
import { ConfigError } from "../lib/errors/config-error";
import { auditStack } from "./aws/audit-stack";

/**
 * `npm run audit -- --stack NAME`: reads every account of the stack through the audit role and
 * reports drift and policy violations of the live state (docs/audit.md). Thin: arguments and
 * files here, SDK calls in scripts/aws/, every judgement in lib/audit/.
 */

function fail(message: string): never {
  console.error(`audit: ${message}`);
  process.exit(EXIT.incomplete);
}

function readPackConfig(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    fail(`cannot read the policy pack config ${path}: ${String(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    fail(`${path} must hold a JSON object keyed by policy name`);
  }
  return parsed as Record<string, unknown>;
}

async function main(): Promise<void> {
  const parsed = parseAuditArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    console.log(USAGE);
    return;
  }
  if (parsed.kind === "error") fail(`${parsed.message}\n\n${USAGE}`);
  const args = parsed.args;
  const root = resolve(__dirname, "..");
  const stackFile = join(
    resolve(args.stacksDir ?? join(root, "stacks")),
    `Pulumi.${args.stack}.yaml`,
  );
  let text: string;
  try {
    text = readFileSync(stackFile, "utf8");
  } catch {
    fail(`no stack config at ${stackFile}; create it or pass --stack with an existing stack`);
  }
  const config = loadStackConfig(decodePulumiConfig(flatConfigFromStackFile(text)), stackFile);
  const packConfig = readPackConfig(args.policyPackConfig);
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
  process.stdout.write(args.json ? renderJson(report) : renderText(report));
  console.error(`audit: ${summaryLine(report)}`);
  process.exitCode = report.exitCode;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  fail(`could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
