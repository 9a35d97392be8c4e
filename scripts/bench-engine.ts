/**
 * `npm run bench:engine`: the real Pulumi engine's `pulumi preview --policy-pack policy-pack` of
 * generated stacks of 10, 100 and 1,000 product accounts (or `--sizes 10,100`), with the CLI,
 * the Node.js language host and the aws provider stand-in that `.ci/setup-tools` builds. For
 * each size: wall time, the peak memory of the engine (the CLI), of the language host with
 * the program's node process, and of the policy pack's analyzer, and the number of provider
 * processes the engine started. The stand-ins' memory is reported apart: the real provider
 * takes roughly 170-430 MB a process (docs/scaling.md), the stand-in a few MB, so only their
 * count carries over to a real deployment. Prints figures; asserts nothing. Not a test.
 *
 * Memory is sampled from /proc every 250 ms (Linux): each process's peak resident set
 * (VmHWM), and the stand-ins' resident and private (anonymous) memory summed while they run
 * together. A size whose extrapolated memory would not fit in the machine's available memory is
 * reported as not run, with the estimate.
 */
import { readdirSync, readFileSync } from "node:fs";
import { generatedProductAccounts } from "./synth/generated-stack";
import {
  createEngineHome,
  createStack,
  preview,
  repositoryStackConfig,
  type EngineHome,
} from "../test/engine/engine-stack";
import { stepKeys, summary } from "../test/engine/events";
import { describeRun, RUN_MARK } from "../test/engine/pulumi-cli";
import { kb, readProc } from "../test/engine/processes";

type Role = "engine" | "languageHost" | "program" | "analyzer" | "provider" | "other";

/** What one preview used, by process role. */
interface Figures {
  accounts: number;
  resources: number;
  wallS: number;
  engineS: number;
  peakMb: Record<Exclude<Role, "provider">, number>;
  providers: number;
  providerPeakMb: number;
  providersRssMb: number;
  providersPrivateMb: number;
}

function flagSizes(): number[] {
  const index = process.argv.indexOf("--sizes");
  const values = (index >= 0 ? (process.argv[index + 1] ?? "") : "10,100,1000")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (values.length === 0) throw new Error("--sizes takes a list of account counts, e.g. 10,100");
  return values;
}

function roleOf(pid: number, cliPid: number, cmdline: string): Role {
  if (pid === cliPid) return "engine";
  const [exe = "", ...args] = cmdline.split("\0");
  if (exe.endsWith("pulumi-language-nodejs")) return "languageHost";
  if (exe.endsWith("pulumi-resource-aws")) return "provider";
  if (args.some((a) => a.includes("run-policy-pack"))) return "analyzer";
  if (args.some((a) => /[/\\]cmd[/\\]run([/\\]|$)/.test(a))) return "program";
  return "other";
}

/** Samples the processes of one run (those carrying its mark) until stopped. */
class Sampler {
  private readonly known = new Map<number, Role>();
  private readonly foreign = new Set<number>();
  private readonly hwm = new Map<number, number>();
  private providersRss = 0;
  private providersPrivate = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cliPid: number,
    private readonly mark: string,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    let rss = 0;
    let anon = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (this.foreign.has(pid)) continue;
      let role = this.known.get(pid);
      if (role === undefined) {
        const environ = readProc(pid, "environ");
        if (environ === undefined) continue;
        if (!environ.split("\0").includes(`${RUN_MARK}=${this.mark}`)) {
          this.foreign.add(pid);
          continue;
        }
        role = roleOf(pid, this.cliPid, readProc(pid, "cmdline") ?? "");
        this.known.set(pid, role);
      }
      const status = readProc(pid, "status");
      if (status === undefined) continue;
      this.hwm.set(pid, Math.max(this.hwm.get(pid) ?? 0, kb(status, "VmHWM")));
      if (role === "provider") {
        rss += kb(status, "VmRSS");
        anon += kb(status, "RssAnon");
      }
    }
    this.providersRss = Math.max(this.providersRss, rss);
    this.providersPrivate = Math.max(this.providersPrivate, anon);
  }

  /** Stops sampling; the peaks by role, in MB. */
  stop() {
    if (this.timer) clearInterval(this.timer);
    const peak = (role: Role) =>
      [...this.known].filter(([, r]) => r === role).map(([pid]) => (this.hwm.get(pid) ?? 0) / 1024);
    const largest = (role: Role) => Math.max(0, ...peak(role));
    return {
      peakMb: {
        engine: largest("engine"),
        languageHost: largest("languageHost"),
        program: largest("program"),
        analyzer: largest("analyzer"),
        other: largest("other"),
      },
      providers: peak("provider").length,
      providerPeakMb: largest("provider"),
      providersRssMb: this.providersRss / 1024,
      providersPrivateMb: this.providersPrivate / 1024,
    };
  }
}

async function measure(home: EngineHome, accounts: number): Promise<Figures> {
  const config = {
    ...repositoryStackConfig("example"),
    "tf-bootstrap:productAccounts": generatedProductAccounts(accounts),
  };
  const stack = await createStack(home, `bench-${accounts}`, config);
  let sampler: Sampler | undefined;
  const result = await preview(stack, {
    timeoutMs: 60 * 60_000,
    onStart: (pid, mark) => {
      sampler = new Sampler(pid, mark);
    },
  });
  const used = sampler?.stop();
  if (result.code !== 0 || !used) throw new Error(`the preview failed:\n${describeRun(result)}`);
  const resources = stepKeys(result.events, "create").filter(
    (k) => !k.startsWith("pulumi:pulumi:Stack::"),
  ).length;
  return {
    accounts,
    resources,
    wallS: result.durationMs / 1000,
    engineS: summary(result.events)?.durationSeconds ?? 0,
    ...used,
  };
}

function availableMb(): number {
  const info = readFileSync("/proc/meminfo", "latin1");
  return kb(info, "MemAvailable") / 1024;
}

/**
 * Memory a preview of `accounts` would take, scaled linearly from a measured smaller one: the
 * peaks of the CLI, host, program and analyzer, and the stand-ins' private memory (the pages of
 * their binary are shared between them).
 */
function estimateMb(from: Figures, accounts: number): number {
  const total =
    from.peakMb.engine +
    from.peakMb.languageHost +
    from.peakMb.program +
    from.peakMb.analyzer +
    from.providersPrivateMb;
  return (total * accounts) / from.accounts;
}

const mb = (n: number) => n.toFixed(0);

async function main(): Promise<void> {
  const sizes = flagSizes();
  const home = await createEngineHome();
  const rows: string[] = [];
  const notRun: string[] = [];
  let last: Figures | undefined;
  try {
    for (const accounts of sizes) {
      if (last && estimateMb(last, accounts) > 0.8 * availableMb()) {
        notRun.push(
          `${accounts} accounts: not run; scaled from ${last.accounts} accounts it needs about ` +
            `${mb(estimateMb(last, accounts))} MB, and ${mb(availableMb())} MB are available`,
        );
        continue;
      }
      console.error(`bench:engine: previewing ${accounts} product accounts...`);
      const f = await measure(home, accounts);
      last = f;
      rows.push(
        `| ${String(f.accounts).padStart(8)} | ${String(f.resources).padStart(9)} | ` +
          `${f.wallS.toFixed(1).padStart(8)} | ${String(f.engineS).padStart(10)} | ` +
          `${mb(f.peakMb.engine).padStart(11)} | ${mb(f.peakMb.languageHost).padStart(9)} | ` +
          `${mb(f.peakMb.program).padStart(12)} | ${mb(f.peakMb.analyzer).padStart(13)} | ` +
          `${String(f.providers).padStart(9)} | ${mb(f.providerPeakMb).padStart(12)} | ` +
          `${mb(f.providersRssMb).padStart(10)} | ${mb(f.providersPrivateMb).padStart(11)} |`,
      );
    }
  } finally {
    home.cleanup();
  }
  console.log(
    "\nReal-engine `pulumi preview --policy-pack policy-pack` (Pulumi CLI, Node.js language host, aws stand-in):\n",
  );
  console.log(
    "| accounts | resources | wall (s) | engine (s) | CLI peak MB | host (MB) | program (MB) | analyzer (MB) | providers | stand-in (MB) | stand-ins | private MB |",
  );
  console.log(
    "|---------:|----------:|---------:|-----------:|------------:|----------:|-------------:|--------------:|----------:|--------------:|----------:|-----------:|",
  );
  for (const row of rows) console.log(row);
  for (const line of notRun) console.log(`\n${line}`);
  console.log(
    "\naccounts: product accounts; resources: creates (components included); engine (s): the" +
      " engine's own duration; host: the Go language host; program: the program's node process;" +
      " analyzer: the policy pack's node process; providers: provider processes started;" +
      " stand-in: one stand-in's peak; stand-ins / private MB: all stand-ins together, resident" +
      " and private memory (the binary's pages are shared). A real pulumi-resource-aws takes" +
      " about 170-430 MB per process instead.",
  );
}

main().catch((error: unknown) => {
  console.error(`bench:engine: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
