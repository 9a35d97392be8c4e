import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { flatConfigFromStackFile } from "../lib/config/stack-file";
import { ConfigError } from "../lib/errors/config-error";
import { synthArtifacts } from "./synth/artifacts";
import { synthesize } from "./synth/mock-runtime";

const USAGE = `usage: npm run synth [-- --stack NAME] [--out DIR] [--stacks-dir DIR]

Runs the program on Pulumi's mock runtime with stacks/Pulumi.<NAME>.yaml (default: example)
(read from --stacks-dir, default: stacks/) and writes every resource, every IAM document and a
report to DIR (default: out/<NAME>).
No credentials and no Pulumi CLI are needed.

Exit codes: 0 done; 2 the config is invalid or the program could not run.`;

interface Args {
  stack: string;
  out?: string;
  stacksDir?: string;
}

const FLAGS: Record<string, keyof Args> = {
  "--stack": "stack",
  "--out": "out",
  "--stacks-dir": "stacksDir",
};

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
  const stackFile = join(
    resolve(args.stacksDir ?? join(root, "stacks")),
    `Pulumi.${args.stack}.yaml`,
  );
  let text: string;
  try {
    text = readFileSync(stackFile, "utf8");
  } catch {
    console.error(
      `synth: no stack config at ${stackFile}; create it or pass --stack with an existing stack`,
    );
    process.exit(2);
  }
  const result = await synthesize(flatConfigFromStackFile(text), { stack: args.stack });
  const out = resolve(args.out ?? join(root, "out", args.stack));
  rmSync(out, { recursive: true, force: true });
  const files = synthArtifacts(args.stack, result);
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
