/**
 * `npm run bench:scale`: how the program scales with the number of product accounts. For
 * generated stacks of 10, 100 and 1,000 product accounts (or `--sizes 10,100`), each in a fresh
 * process: synth wall time and peak memory, resources registered per product account, and the
 * AWS API calls a first `pulumi up` of one new account makes; then the same stacks with one CI
 * apply role per environment (`--environments`, default 10% of the accounts, at most 100): apply
 * roles, their policies, and the largest trust, environment policy and state bucket policy against
 * IAM's and S3's quotas. Prints figures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { generatedPerEnvironmentStack, generatedStack } from "./synth/generated-stack";
import { decodePulumiConfig, loadStackConfig } from "../lib/config/parse";
import { IAM_LIMITS, policySize } from "../lib/plan/limits";
import { planTopology } from "../lib/plan/topology";
import { synthesize, type RecordedResource } from "./synth/mock-runtime";

/**
 * AWS API calls a resource's create makes, by type: the create call and the calls the AWS
 * provider makes to read the resource back. A provider configures itself with
 * sts:AssumeRole and sts:GetCallerIdentity. Counted from the provider's create operations; an
 * estimate of the order of magnitude, not a trace.
 */
export const CREATE_CALLS: Readonly<Record<string, number>> = {
  "pulumi:providers:aws": 2,
  "aws:iam/role:Role": 4, // CreateRole, GetRole, ListRolePolicies, ListAttachedRolePolicies
  "aws:iam/rolePolicy:RolePolicy": 2, // PutRolePolicy, GetRolePolicy
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": 1, // ListRolePolicies
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": 1, // ListAttachedRolePolicies
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2, // AttachRolePolicy, ListAttachedRolePolicies
  "aws:iam/policy:Policy": 3, // CreatePolicyVersion, ListPolicyVersions, GetPolicyVersion (an update)
};

interface Figures {
  accounts: number;
  synthMs: number;
  peakRssMb: number;
  resources: number;
  /** Apply path, provider included. */
  perProductAccount: number;
  /** Plan path: the plan role and its policies. */
  perProductAccountPlan: number;
  ciAssumePolicies: number;
}

/** The environments of a per-environment stack of `count` accounts. */
function environmentsFor(count: number): number {
  return Math.max(1, Math.min(100, Math.round(count / 10)));
}

async function child(count: number, perEnvironment: boolean): Promise<void> {
  const flat = perEnvironment
    ? generatedPerEnvironmentStack(count, environmentsFor(count))
    : generatedStack(count);
  const start = performance.now();
  const result = await synthesize(flat, { stack: "bench" });
  const synthMs = performance.now() - start;
  const custom = result.resources.filter((r) => r.custom);
  const product = custom.filter((r) => r.account === "acct-0001");
  const planPath = product.filter((r) => r.name.startsWith("acct-0001-plan-role"));
  const figures: Figures = {
    accounts: count,
    synthMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    resources: custom.length,
    perProductAccount: product.length - planPath.length,
    perProductAccountPlan: planPath.length,
    ciAssumePolicies: custom.filter((r) => r.type === "aws:iam/policy:Policy").length,
  };
  console.log(JSON.stringify(figures));
}

function apiCalls(resources: readonly RecordedResource[]): number {
  return resources.reduce((n, r) => n + (CREATE_CALLS[r.type] ?? 1), 0);
}

async function newAccountCalls(): Promise<string> {
  const before = await synthesize(generatedStack(100), { stack: "bench" });
  const after = await synthesize(generatedStack(101), { stack: "bench" });
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;
  const old = new Map(before.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
  const touched = after.resources.filter(
    (r) => r.custom && old.get(key(r)) !== JSON.stringify(r.inputs),
  );
  const created = touched.filter((r) => !old.has(key(r)));
  const updated = touched.filter((r) => old.has(key(r)));
  return `new account (101st): ${created.length} resources created (${created.map((r) => r.type.split(":").pop()).join(", ")}), ${updated.length} updated (${updated.map((r) => r.name).join(", ")}); about ${apiCalls(touched)} AWS API calls`;
}

async function main(): Promise<void> {
  const sizeFlag = process.argv.indexOf("--child");
  if (sizeFlag >= 0) {
    return child(Number(process.argv[sizeFlag + 1]), process.argv.includes("--per-environment"));
  }
  const sizesArg = process.argv.indexOf("--sizes");
  const sizes =
    sizesArg >= 0 ? (process.argv[sizesArg + 1] ?? "").split(",").map(Number) : [10, 100, 1000];
  console.log(`synth at scale (node ${process.version}, each size in a fresh process)`);
  console.log(
    "accounts | synth ms | peak RSS MB | resources | per product account (apply + plan path) | CI assume policies (both CI roles)",
  );
  const rows: Figures[] = [];
  for (const size of sizes) {
    const out = execFileSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", __filename, "--child", String(size)],
      {
        encoding: "utf8",
      },
    );
    const figures = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Figures;
    rows.push(figures);
    console.log(
      `${String(figures.accounts).padStart(8)} | ${figures.synthMs.toFixed(0).padStart(8)} | ${figures.peakRssMb.toFixed(0).padStart(11)} | ${String(figures.resources).padStart(9)} | ${`${figures.perProductAccount} + ${figures.perProductAccountPlan}`.padStart(39)} | ${figures.ciAssumePolicies}`,
    );
  }
  const t100 = rows.find((r) => r.accounts === 100);
  const t1000 = rows.find((r) => r.accounts === 1000);
  if (t100 && t1000)
    console.log(`1,000/100 synth time ratio: ${(t1000.synthMs / t100.synthMs).toFixed(1)}`);
  console.log(await newAccountCalls());
  console.log("");
  console.log("one CI apply role per environment (accounts spread over environments)");
  console.log(
    "accounts | environments | synth ms | peak RSS MB | resources | CI policies | largest trust | largest environment policy | state bucket policy | state key policy",
  );
  for (const size of sizes) {
    const out = execFileSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        __filename,
        "--child",
        String(size),
        "--per-environment",
      ],
      { encoding: "utf8" },
    );
    const figures = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Figures;
    const plan = planTopology(
      loadStackConfig(
        decodePulumiConfig(generatedPerEnvironmentStack(size, environmentsFor(size))),
      ),
    );
    const tf = plan.terraform;
    const max = (xs: number[]) => Math.max(0, ...xs);
    const trust = max(tf.ciApply.map((a) => policySize(a.role.trustPolicy)));
    const reach = max(
      tf.ciApply.flatMap((a) => a.role.customerPolicies.map((p) => policySize(p.document))),
    );
    console.log(
      [
        String(size).padStart(8),
        String(tf.ciApply.length).padStart(12),
        figures.synthMs.toFixed(0).padStart(8),
        figures.peakRssMb.toFixed(0).padStart(11),
        String(figures.resources).padStart(9),
        String(figures.ciAssumePolicies).padStart(11),
        `${trust}/${IAM_LIMITS.trustPolicy}`.padStart(13),
        `${reach}/${IAM_LIMITS.managedPolicy}`.padStart(26),
        `${policySize(tf.state.bucketPolicy)}/${IAM_LIMITS.bucketPolicy}`.padStart(19),
        `${policySize(tf.state.kmsKey.policy)}/${IAM_LIMITS.keyPolicy}`.padStart(16),
      ].join(" | "),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
