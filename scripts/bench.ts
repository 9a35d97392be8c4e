/**
 * `npm run bench:pack` (part of `npm run bench`): how fast the policy pack's analysis is.
 * Prints figures; asserts nothing.
 *
 * 1. Trust analysis throughput: `analyzeTrust` over a generated, deterministic set of trust
 *    policies (restrictive, wildcard, multi-statement, federated), in policies per second.
 * 2. Stacks of N product accounts (default 10, 100 and 1,000): the time to generate the config, synthesize
 *    it on the mock runtime, and run the pack's stack policies the way CrossGuard calls them
 *    (each policy gets its own engine-shaped arguments, properties behind `@pulumi/policy`'s
 *    unknown-checking proxy), plus the offline path `npm run synth` takes.
 *
 * Usage: npm run bench:pack [-- --accounts N[,N...]] [--policies N[,N...]]
 */
import { performance } from "node:perf_hooks";
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import * as policySdk from "@pulumi/policy";
import { runGuard, viewFromRegistrations } from "../lib/guard";
import { recordStackConfig } from "../policy-pack/stack-config";
import { intentFromFlatConfig } from "../lib/guard/intent";
import { analyzeTrust, type AllowedCaller } from "../lib/iam";
import { packPolicies } from "../policy-pack/policies";
import { generatedStack } from "./synth/generated-stack";
import { PROJECT, synthesize, type RecordedResource } from "./synth/mock-runtime";

/** `@pulumi/policy`'s property proxy (its typings omit it): throws on unknown values. */
const unknownCheckingProxy = (
  policySdk as unknown as { unknownCheckingProxy: (props: object) => Record<string, unknown> }
).unknownCheckingProxy;

/** A flag's list of positive whole numbers (`--accounts 10,100,1000`), or `fallback`. */
function flag(name: string, fallback: readonly number[]): number[] {
  const index = process.argv.indexOf(name);
  const values = (index >= 0 ? (process.argv[index + 1] ?? "") : "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return values.length > 0 ? values : [...fallback];
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const TF = "111111111111";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;

/** A deterministic mix of trust policies, as the pack meets them (mostly restrictive). */
function trustPolicies(count: number): object[] {
  const random = seeded(42);
  const pick = (items: readonly [() => object, ...(() => object)[]]): (() => object) =>
    items[Math.floor(random() * items.length)] ?? items[0];
  const account = () => String(100000000000 + Math.floor(random() * 899999999999));
  const statement = (): object =>
    pick([
      () => ({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${TF}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { ArnEquals: { "aws:PrincipalArn": [CI_ROLE] } },
      }),
      () => ({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account()}:root` },
        Action: "sts:AssumeRole",
      }),
      () => ({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${TF}:root` },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": [`arn:aws:iam::${TF}:role/terraform-*`] } },
      }),
      () => ({
        Effect: "Allow",
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
      }),
      () => ({
        Effect: "Allow",
        Principal: {
          Federated: `arn:aws:iam::${TF}:oidc-provider/token.actions.githubusercontent.com`,
        },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": `repo:acme/${account()}:*` },
        },
      }),
      () => ({
        Effect: "Deny",
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ])();
  return Array.from({ length: count }, () => ({
    Version: "2012-10-17",
    Statement: Array.from({ length: 1 + Math.floor(random() * 3) }, statement),
  }));
}

function benchTrust(count: number): void {
  const policies = trustPolicies(count);
  const allowed: AllowedCaller[] = [{ kind: "aws", arn: CI_ROLE }];
  for (const policy of policies.slice(0, 200)) analyzeTrust(policy, allowed); // warm up
  const start = performance.now();
  let findings = 0;
  for (const policy of policies) findings += analyzeTrust(policy, allowed).length;
  const ms = performance.now() - start;
  console.log(
    `trust analysis: ${count} policies in ${ms.toFixed(0)} ms = ${Math.round((count / ms) * 1000)} policies/s ` +
      `(${findings} findings; ${(ms / count).toFixed(3)} ms per policy)`,
  );
}

/** Engine-shaped stack arguments (see test/policy-pack/helpers/engine.ts for the full model). */
function stackArgs(recorded: readonly RecordedResource[], stack: string): StackValidationArgs {
  const view = viewFromRegistrations(recorded, { project: PROJECT, stack });
  const resources = recorded.map((r, index): PolicyResource => {
    const urn = view.resources[index]?.urn ?? r.name;
    const provider = view.resources[index]?.provider;
    const inputs = JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>;
    return {
      type: r.type,
      name: r.name,
      urn,
      props: unknownCheckingProxy(inputs),
      opts: {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
      ...(provider
        ? {
            provider: {
              type: provider.type,
              name: provider.name,
              urn: provider.urn,
              props: unknownCheckingProxy(JSON.parse(JSON.stringify(provider.props)) as object),
            },
          }
        : {}),
    };
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(reason);
    },
  };
}

/**
 * CPU time (user + system) since `since`, in ms: on a machine shared with other work, the
 * wall-clock figures above grow with the load, the CPU time far less.
 */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function benchStack(count: number): Promise<void> {
  let start = performance.now();
  const flat = generatedStack(count);
  const generate = performance.now() - start;
  start = performance.now();
  const result = await synthesize(flat, { stack: "bench" });
  const synth = performance.now() - start;
  const custom = result.resources.filter((r) => r.custom).length;
  console.log(
    `stack of ${count} product accounts: config ${generate.toFixed(0)} ms; synthesize ${(synth / 1000).toFixed(1)} s (${custom} resources)`,
  );
  let total = 0;
  let totalCpu = 0;
  let violations = 0;
  // What the engine does before the first analysis: send the pack the stack config.
  recordStackConfig(flat);
  for (const policy of packPolicies()) {
    if (!("validateStack" in policy)) continue;
    start = performance.now();
    const cpuStart = process.cpuUsage();
    const args = stackArgs(result.resources, "bench");
    const report: ReportViolation = () => {
      violations += 1;
    };
    await policy.validateStack(args, report);
    const ms = performance.now() - start;
    const cpu = cpuMs(cpuStart);
    total += ms;
    totalCpu += cpu;
    console.log(
      `  ${policy.name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms (cpu ${cpu.toFixed(0)} ms)`,
    );
  }
  console.log(
    `  stack policies as CrossGuard runs them: ${(total / 1000).toFixed(2)} s in all ` +
      `(cpu ${(totalCpu / 1000).toFixed(2)} s), ${violations} violations`,
  );
  start = performance.now();
  const offlineCpu = process.cpuUsage();
  const report = runGuard(
    viewFromRegistrations(result.resources, { project: PROJECT, stack: "bench" }),
    {},
    intentFromFlatConfig(result.config),
  );
  const offline = performance.now() - start;
  const offlineCpuMs = cpuMs(offlineCpu);
  const findings = report.verdicts.reduce((n, v) => n + v.findings.length, 0);
  console.log(
    `  every policy offline (npm run synth's path, one view): ${(offline / 1000).toFixed(2)} s ` +
      `(cpu ${(offlineCpuMs / 1000).toFixed(2)} s), ${findings} findings`,
  );
}

async function main(): Promise<void> {
  for (const count of flag("--policies", [5000])) benchTrust(count);
  for (const count of flag("--accounts", [10, 100, 1000])) await benchStack(count);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(2);
});
