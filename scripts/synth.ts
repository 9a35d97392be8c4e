import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../lib/errors/config-error";
import { hasMandatoryViolation, verdictSummary } from "../lib/guard";
import { synthHandoffArtifacts } from "../lib/terraform";
import { policyVerdicts, synthArtifacts } from "./synth/artifacts";
import { readPackConfig, readStackFile } from "./inputs";
import { synthesize } from "./synth/mock-runtime";

const USAGE = `usage: npm run synth [-- --stack NAME] [--out DIR] [--stacks-dir DIR] [--policy-pack-config FILE]

Runs the program on Pulumi's mock runtime with stacks/Pulumi.<NAME>.yaml (default: example)
(read from --stacks-dir, default: stacks/) and writes every resource, every IAM document and a
report to DIR (default: out/<NAME>). Then runs the policy pack's checks (policy-pack/, with the
JSON config FILE as \`pulumi preview --policy-pack-config\` would) on the resources, adds their
verdicts to the report and prints a summary.
No credentials and no Pulumi CLI are needed.

Exit codes: 0 done; 1 a mandatory policy violation; 2 the config is invalid or the program
could not run.`;

interface Args {
  stack: string;
  out?: string;
  stacksDir?: string;
  policyPackConfig?: string;
}

const FLAGS: Record<string, keyof Args> = {
  "--stack": "stack",
  "--out": "out",
  "--stacks-dir": "stacksDir",
  "--policy-pack-config": "policyPackConfig",
};

function fail(message: string): never {
  console.error(`synth: ${message}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { stack: "example" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg in FLAGS && value && !value.startsWith("--")) {
      args[FLAGS[arg]] = value;
      i++;
    } else {
      console.error(`synth: unexpected argument '${arg}'\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, "..");
  const stackFile = readStackFile(args.stack, args.stacksDir);
  if (!stackFile.ok) fail(stackFile.message);
  const pack = readPackConfig(args.policyPackConfig);
  if (!pack.ok) fail(pack.message);
  const packConfig = pack.config;
  const result = await synthesize(stackFile.flat, { stack: args.stack });
  const out = resolve(args.out ?? join(root, "out", args.stack));
  rmSync(out, { recursive: true, force: true });
  const verdicts = policyVerdicts(args.stack, result, packConfig);
  const files = synthArtifacts(args.stack, result, verdicts);
  files.push(...synthHandoffArtifacts(args.stack, result.outputs)); // out/<stack>/terraform/
  for (const file of files) {
    const path = join(out, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
  const custom = result.resources.filter((r) => r.custom);
  const accounts = new Set(custom.map((r) => r.account).filter(Boolean));
  console.log(
    `synth: stack '${args.stack}': ${custom.length} resources in ${accounts.size} accounts; ${files.length} files written to ${out}`,
  );
  console.log(`synth: ${verdictSummary(verdicts)}`);
  if (hasMandatoryViolation(verdicts)) {
    console.error(
      `synth: a mandatory policy would block \`pulumi preview\`; see "Policy verdicts" in ${join(out, "report.md")}`,
    );
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(
      `synth: could not run the program: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
  process.exit(2);
});
