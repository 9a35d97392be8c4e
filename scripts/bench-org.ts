/**
 * `npm run bench:org -- [--accounts N] [--groups G] [--parallel 1,2,4]`: an organisation of a
 * core stack and G account-group stacks over N sample accounts (scripts/org/sample-org.ts) in a
 * temp project, on the real Pulumi engine that `.ci/setup-tools` builds (the CLI, the Node.js
 * language host, the aws provider stand-in). The core stack is deployed once (the groups'
 * check reads its outputs); then `npm run org -- preview` of the whole organisation runs at
 * each parallelism, in process, and this prints its wall time and peak memory. Prints figures;
 * asserts nothing. Not a test.
 *
 * Memory: every process the run starts (each `pulumi` CLI, its language host and the program's
 * node, the policy pack's analyzer, one aws provider per account) carries a mark in its
 * environment; /proc is sampled every 250 ms and the VmRSS of the marked processes summed; the
 * peak of that sum is the run's peak. This process (the orchestrator) is reported apart.
 *
 * Then the memory budget: the real `pulumi-resource-aws` takes about 170-430 MB a process
 * (pulumi/pulumi#19534) where the stand-in takes a few MB, so a group of k accounts needs about
 * base + k × 430 MB, base being one group run's processes other than the providers.
 */
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { findPulumi, openStack, upStack } from "./org/engine";
import { runOrg } from "./org/run";
import { sampleGroups, writeSampleOrg } from "./org/sample-org";
import type { OrgJson } from "./org/summary";
import { createEngineHome, createProjectCopy, POLICY_PACK_DIR } from "../test/engine/engine-stack";
import { killMarked, RUN_MARK } from "../test/engine/pulumi-cli";
import { kb, readProc } from "../test/engine/processes";

/** The real provider's resident memory per process, MB (pulumi/pulumi#19534). */
const REAL_PROVIDER_MB = { low: 170, high: 430 };
/** Memory a runner keeps for its OS and agent, MB. */
const RUNNER_RESERVE_MB = 1024;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? "") : fallback;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} takes a whole number > 0; got '${text}'`);
  return n;
}

/** Samples the marked processes' memory every 250 ms until stopped. */
class Sampler {
  private readonly mine = new Map<number, boolean>();
  private readonly providerHwm = new Map<number, number>();
  private peakKb = 0;
  private peakOthersKb = 0;
  private maxProviders = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly mark: string) {
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    let total = 0;
    let others = 0;
    let providers = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let marked = this.mine.get(pid);
      if (marked === undefined) {
        const environ = readProc(pid, "environ");
        if (environ === undefined) continue;
        marked = environ.split("\0").includes(`${RUN_MARK}=${this.mark}`);
        this.mine.set(pid, marked);
      }
      if (!marked) continue;
      const status = readProc(pid, "status");
      if (status === undefined) continue;
      const rss = kb(status, "VmRSS");
      total += rss;
      const exe = (readProc(pid, "cmdline") ?? "").split("\0")[0] ?? "";
      if (exe.endsWith("pulumi-resource-aws")) {
        providers += 1;
        this.providerHwm.set(pid, Math.max(this.providerHwm.get(pid) ?? 0, kb(status, "VmHWM")));
      } else {
        others += rss;
      }
    }
    this.peakKb = Math.max(this.peakKb, total);
    this.peakOthersKb = Math.max(this.peakOthersKb, others);
    this.maxProviders = Math.max(this.maxProviders, providers);
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const perProvider = [...this.providerHwm.values()].sort((a, b) => a - b).map((k) => k / 1024);
    return {
      peakMb: this.peakKb / 1024,
      peakOthersMb: this.peakOthersKb / 1024,
      providers: perProvider.length,
      providersAtOnce: this.maxProviders,
      providerMedianMb: perProvider[Math.floor(perProvider.length / 2)] ?? 0,
      providerMaxMb: perProvider.at(-1) ?? 0,
    };
  }
}

const mb = (n: number) => n.toFixed(0);

async function main(): Promise<void> {
  const accounts = positive("accounts", flag("accounts", "40"));
  const groupCount = positive("groups", flag("groups", "4"));
  const parallels = flag("parallel", "1,2,4")
    .split(",")
    .map((p) => positive("parallel", p));
  if (groupCount > accounts)
    throw new Error(`--groups ${groupCount} is more than --accounts ${accounts}`);
  const home = await createEngineHome();
  try {
    const project = createProjectCopy(home, "bench-org");
    const org = writeSampleOrg(project.stacksDir, "bench", sampleGroups(accounts, groupCount));
    console.log(
      `bench:org: ${accounts} accounts in ${groupCount} groups (${org.groups.join(", ")}), core ${org.core}; deploying the core stack once`,
    );
    const coreMark = randomUUID();
    const started = Date.now();
    try {
      const settings = {
        command: await findPulumi(home.tools.pulumi),
        projectDir: project.dir,
        env: { ...project.env, [RUN_MARK]: coreMark },
      };
      const core = await openStack(org.core, settings);
      const up = await upStack(core, { policyPack: POLICY_PACK_DIR, onEvent: () => undefined });
      if (!up.ok) throw new Error(`the core stack's up failed: ${up.cliError ?? ""}`);
    } finally {
      killMarked(coreMark);
    }
    console.log(`bench:org: core stack up in ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const rows: string[] = [];
    let baseMb = 0;
    let providerMb = 0;
    for (const parallel of parallels) {
      const mark = randomUUID();
      const sampler = new Sampler(mark);
      let stdout = "";
      const t0 = Date.now();
      let code: number;
      try {
        code = await runOrg(
          "preview",
          [
            "--stacks-dir",
            project.stacksDir,
            "--policy-pack",
            POLICY_PACK_DIR,
            "--pulumi",
            home.tools.pulumi,
            "--parallel",
            String(parallel),
            "--json",
          ],
          {
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: () => true },
            env: { ...project.env, [RUN_MARK]: mark },
            cwd: project.dir,
          },
        );
      } finally {
        killMarked(mark);
      }
      const wallS = (Date.now() - t0) / 1000;
      const used = sampler.stop();
      const doc = JSON.parse(stdout) as OrgJson;
      const notOk = doc.stacks.filter((s) => s.status !== "ok");
      if (notOk.length > 0) {
        // The engine still ran every stack to its end: the figures stand, the failure is said.
        console.log(
          `bench:org: --parallel ${parallel}: exit ${code}; ${notOk.map((s) => `${s.stack} ${s.status}: ${(s.error ?? "").split("\n")[0] ?? ""}`).join("; ")}`,
        );
      }
      const creates = doc.stacks.reduce((n, s) => n + (s.changes.create ?? 0), 0);
      const slowest =
        Math.max(...doc.stacks.filter((s) => s.part === "group").map((s) => s.durationMs)) / 1000;
      rows.push(
        `  ${String(parallel).padStart(8)}  ${wallS.toFixed(1).padStart(7)}s  ${mb(used.peakMb).padStart(11)} MB  ${mb(used.peakOthersMb).padStart(14)} MB  ${String(used.providersAtOnce).padStart(9)}  ${slowest.toFixed(1).padStart(11)}s  ${String(creates).padStart(7)}`,
      );
      if (parallel === Math.min(...parallels)) baseMb = used.peakOthersMb / parallel;
      providerMb = Math.max(providerMb, used.providerMedianMb);
      console.log(
        `bench:org: --parallel ${parallel}: ${wallS.toFixed(1)}s, peak ${mb(used.peakMb)} MB; providers ${used.providers} (median ${used.providerMedianMb.toFixed(1)} MB, max ${used.providerMaxMb.toFixed(1)} MB each)`,
      );
    }
    console.log(
      [
        "",
        `org preview of ${accounts} accounts in ${groupCount} groups (+ core), real engine, aws stand-in`,
        "  parallel     wall  peak memory  without providers  providers  slowest group  creates",
        ...rows,
        "",
        "peak memory: the sum of VmRSS over every process the run started (pulumi CLIs, language hosts",
        "and program nodes, policy analyzers, providers), sampled from /proc every 250 ms; the",
        "orchestrator's own node process is not included",
        `  (now ${mb(process.memoryUsage().rss / 1024 / 1024)} MB RSS).`,
        "",
        "memory budget with the real aws provider:",
        `  stand-in provider process: ${providerMb.toFixed(1)} MB RSS (median peak); the real pulumi-resource-aws`,
        `  takes ~${REAL_PROVIDER_MB.low}-${REAL_PROVIDER_MB.high} MB a process (pulumi/pulumi#19534), one per account of a running group.`,
        `  base of one group run (pulumi, language host, program, analyzer): ${mb(baseMb)} MB (peak without`,
        `  providers at --parallel ${Math.min(...parallels)}, per group)`,
        `  a group of k accounts needs about ${mb(baseMb)} + k × ${REAL_PROVIDER_MB.high} MB; ${RUNNER_RESERVE_MB} MB kept for the runner's OS:`,
        ...[8, 16].flatMap((gb) =>
          [1, 2].map((p) => {
            const usable = gb * 1024 - RUNNER_RESERVE_MB;
            const k = Math.floor((usable / p - baseMb) / REAL_PROVIDER_MB.high);
            const kLow = Math.floor((usable / p - baseMb) / REAL_PROVIDER_MB.low);
            return `    ${String(gb).padStart(2)} GB runner, --parallel ${p}: at most ${k} accounts per group (${kLow} at ${REAL_PROVIDER_MB.low} MB a provider)`;
          }),
        ),
      ].join("\n"),
    );
  } finally {
    home.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:org: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
