/**
 * `npm run bench:audit`: how long the live audit takes for a stack of 50 accounts (the Terraform
 * account and 49 product accounts) deployed in moto, reading the accounts one at a time and at
 * the default concurrency. Starts its own moto server on a loopback port and stops it. Prints
 * figures; asserts nothing. Not a test.
 *
 * moto answers from the same machine in about a millisecond, so the audit is CPU-bound there and
 * concurrency helps little; AWS answers over the network. A second table puts a proxy in front of
 * moto that delays every request by `--latency-ms` (default 40), a round trip to AWS.
 *
 * A third table measures the SDK's retry modes when one account is throttled: the first
 * `--throttles` IAM requests of the first product account answer `Throttling` (through the
 * fault-injection proxy), and the whole audit is timed with `standard` and with `adaptive`.
 *
 * Usage: npm run bench:audit [-- --accounts N] [--concurrency N[,N...]] [--runs N] [--latency-ms N]
 *                            [--throttles N[,N...]]
 */
import { performance } from "node:perf_hooks";
import { DEFAULT_CONCURRENCY } from "../lib/audit/cli-args";
import { DEFAULT_LIMITS, RETRY_MODES, type RetryMode } from "../lib/audit/limits";
import { startMoto } from "../test/harness/moto";
import { startFaultProxy, type FaultRule } from "../test/audit/fixtures/fault-proxy";
import { audit, deploy } from "../test/audit/fixtures/deployed-stack";
import { productAccountId, writeTestStack } from "../test/audit/fixtures/stacks";

function flag(name: string, fallback: readonly number[]): number[] {
  const index = process.argv.indexOf(name);
  const values = (index >= 0 ? (process.argv[index + 1] ?? "") : "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return values.length > 0 ? values : [...fallback];
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function table(
  title: string,
  accounts: number,
  levels: readonly number[],
  runs: number,
  run: (concurrency: number) => ReturnType<typeof audit>,
): Promise<void> {
  const rows: string[] = [];
  for (const concurrency of levels) {
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      const report = await run(concurrency);
      times.push(performance.now() - started);
      const audited = report.accounts.filter((a) => a.status === "audited").length;
      if (audited !== accounts || report.exitCode !== 0) {
        throw new Error(`concurrency ${concurrency}: ${audited} audited, exit ${report.exitCode}`);
      }
    }
    const best = Math.min(...times);
    rows.push(
      `| ${String(concurrency).padStart(11)} | ${seconds(best).padStart(8)} | ${times.map(seconds).join(", ").padEnd(12)} | ${(accounts / (best / 1000)).toFixed(1).padStart(10)} |`,
    );
  }
  console.log(`\n${title} (best of ${runs} runs):\n`);
  console.log("| concurrency | best (s) | runs (s)     | accounts/s |");
  console.log("|------------:|---------:|:-------------|-----------:|");
  for (const row of rows) console.log(row);
}

async function main(): Promise<void> {
  const accounts = flag("--accounts", [50])[0] ?? 50;
  const levels = flag("--concurrency", [1, DEFAULT_CONCURRENCY]);
  const runs = flag("--runs", [2])[0] ?? 2;
  const latencyMs = flag("--latency-ms", [40])[0] ?? 40;
  const moto = await startMoto();
  const stack = writeTestStack("bench", {
    products: accounts - 1,
    lock: "both",
    createAccessKey: true,
  });
  const proxy = await startFaultProxy(moto.endpoint, { latencyMs });
  try {
    const started = performance.now();
    await deploy(moto, stack);
    console.log(
      `deployed ${accounts} accounts into moto in ${seconds(performance.now() - started)} s`,
    );
    await audit(moto, stack, { concurrency: DEFAULT_CONCURRENCY }); // warm-up
    await table(
      `audit of ${accounts} accounts, moto direct`,
      accounts,
      levels,
      runs,
      (concurrency) => audit(moto, stack, { concurrency }),
    );
    const slow = { ...moto, endpoint: proxy.endpoint };
    await table(
      `audit of ${accounts} accounts, ${latencyMs} ms added to every request`,
      accounts,
      levels,
      runs,
      (concurrency) => audit(slow, stack, { concurrency }),
    );
    await throttlingTable(flag("--throttles", [3, 12]), runs, (rules, retryMode) => async () => {
      const faulty = await startFaultProxy(moto.endpoint, { rules });
      try {
        const limits = { ...DEFAULT_LIMITS, retryMode };
        return await audit(moto, stack, {
          concurrency: DEFAULT_CONCURRENCY,
          endpoint: faulty.endpoint,
          limits,
        });
      } finally {
        await faulty.close();
      }
    });
  } finally {
    await proxy.close();
    stack.cleanup();
    await moto.stop();
  }
}

async function throttlingTable(
  throttles: readonly number[],
  runs: number,
  audited: (rules: readonly FaultRule[], retryMode: RetryMode) => () => ReturnType<typeof audit>,
): Promise<void> {
  const rows: string[] = [];
  for (const times of throttles) {
    for (const retryMode of RETRY_MODES) {
      const rules = [
        {
          service: "iam",
          account: productAccountId(0),
          fault: { kind: "throttle" as const },
          times,
        },
      ];
      const durations: number[] = [];
      let exit = 0;
      for (let i = 0; i < runs; i += 1) {
        const started = performance.now();
        const report = await audited(rules, retryMode)();
        durations.push(performance.now() - started);
        exit = Math.max(exit, report.exitCode);
      }
      rows.push(
        `| ${String(times).padStart(9)} | ${retryMode.padEnd(10)} | ${seconds(Math.min(...durations)).padStart(8)} | ${durations.map(seconds).join(", ").padEnd(12)} | ${String(exit).padStart(4)} |`,
      );
    }
  }
  console.log(
    `\nthe first N IAM requests of one product account throttled, concurrency ${DEFAULT_CONCURRENCY}, ` +
      `up to ${DEFAULT_LIMITS.maxAttempts} attempts (best of ${runs} runs):\n`,
  );
  console.log("| throttles | retry mode | best (s) | runs (s)     | exit |");
  console.log("|----------:|:-----------|---------:|:-------------|-----:|");
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
