import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flatConfigFromStackFile } from "../../../lib/config/stack-file";
import {
  accountsForBudget,
  migrationSteps,
  planSplit,
  slug,
  type SplitPlan,
  type SplitRequest,
  type SplitResult,
} from "../../../lib/org-stacks/split";
import { synthesize, type RecordedResource } from "../../../scripts/synth/mock-runtime";
import { ROOT } from "../../helpers/stack";

/** Nine product accounts in three OUs, in an order that interleaves them. */
export const NINE_ACCOUNTS = [
  { name: "dev", id: "222222222201", ou: "Sandbox" },
  { name: "staging", id: "222222222202", ou: "Workloads" },
  { name: "prod", id: "222222222203", ou: "Workloads", environment: "production" },
  { name: "data-dev", id: "222222222204", ou: "Sandbox" },
  { name: "data-prod", id: "222222222205", ou: "Workloads", environment: "production" },
  { name: "network", id: "222222222206", ou: "Shared Services" },
  { name: "logging", id: "222222222207", ou: "Shared Services" },
  { name: "ml-dev", id: "222222222208", ou: "Sandbox" },
  { name: "ml-prod", id: "222222222209", ou: "Workloads", environment: "production" },
] as const;

/**
 * stacks/Pulumi.example-oidc.yaml with `accounts` (its comments and every other setting kept),
 * the pipeline applying them in config order.
 */
export function extendedExample(
  accounts: readonly { name: string; id: string; ou?: string; environment?: string }[],
): string {
  const text = readFileSync(join(ROOT, "stacks", "Pulumi.example-oidc.yaml"), "utf8");
  const start = text.indexOf("  tf-bootstrap:productAccounts:");
  const end = text.indexOf("  tf-bootstrap:ci:");
  const block = [
    "  tf-bootstrap:productAccounts:",
    ...accounts.flatMap((a) => [
      `    - name: ${a.name}`,
      `      id: "${a.id}"`,
      ...(a.environment ? [`      environment: ${a.environment}`] : []),
      ...(a.ou ? [`      ou: ${a.ou}`] : []),
    ]),
    "",
  ].join("\n");
  return (text.slice(0, start) + block + text.slice(end)).replace(
    /applyOrder: \[[^\]]*\]/,
    `applyOrder: [${accounts.map((a) => a.name).join(", ")}]`,
  );
}

function request(text: string, extra: Partial<SplitRequest> = {}): SplitRequest {
  return {
    stack: "acme",
    text,
    file: "stacks/Pulumi.acme.yaml",
    by: "ou",
    migrate: false,
    commandLine: "npm run org -- split acme --by ou",
    ...extra,
  };
}

function planned(result: SplitResult): SplitPlan {
  if (!result.ok) {
    assert.fail(
      `the split failed: ${JSON.stringify(result.problems ?? result.configProblems, null, 2)}`,
    );
  }
  return result.plan;
}

function problemsOf(result: SplitResult): string[] {
  assert.equal(result.ok, false, "the split should have been refused");
  if (result.ok) return [];
  return result.problems ? [...result.problems] : result.configProblems.map((p) => p.message);
}

/** A resource as its URN and registration identify it: type, name, parent, inputs. */
function identity(r: RecordedResource): string {
  return JSON.stringify({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs });
}

/** Identities of the resources under a product account (the component and its descendants). */
function productNames(resources: readonly RecordedResource[]): Set<string> {
  // Parents are components; a provider may share its account component's name.
  const byName = new Map(resources.filter((r) => !r.custom).map((r) => [r.name, r]));
  const isProduct = (r: RecordedResource | undefined): boolean => {
    for (let at = r; at !== undefined; at = at.parent ? byName.get(at.parent) : undefined) {
      if (at.type === "tf-bootstrap:product:ProductAccount") return true;
    }
    return false;
  };
  return new Set(resources.filter((r) => isProduct(r)).map(identity));
}

const TOPOLOGY = "tf-bootstrap:index:Topology";
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

describe("org split (lib/org-stacks/split.ts)", function () {
  this.timeout(300_000);
  const source = extendedExample(NINE_ACCOUNTS);

  it("slugs OU names into stack-name parts", () => {
    const cases = [
      { input: "Workloads", expected: "workloads" },
      { input: "Shared Services", expected: "shared-services" },
      { input: "  Prod/EU (1) ", expected: "prod-eu-1" },
      { input: "a__b--c", expected: "a-b-c" },
    ];
    for (const c of cases) assert.equal(slug(c.input), c.expected, c.input);
  });

  it("--by ou: one group per OU, each account in exactly one group, config order kept", () => {
    const plan = planned(planSplit(request(source)));
    assert.equal(plan.core.stack, "acme-core");
    assert.deepEqual(
      plan.groups.map((g) => [g.stack, g.ou, g.accounts]),
      [
        ["acme-core-sandbox", "Sandbox", ["dev", "data-dev", "ml-dev"]],
        ["acme-core-workloads", "Workloads", ["staging", "prod", "data-prod", "ml-prod"]],
        ["acme-core-shared-services", "Shared Services", ["network", "logging"]],
      ],
    );
    const all = plan.groups.flatMap((g) => g.accounts);
    assert.deepEqual([...all].sort(), NINE_ACCOUNTS.map((a) => a.name).sort());
    assert.equal(new Set(all).size, all.length, "an account is in two groups");
  });

  it("keeps the source's comments, writes a header, and changes only what the split changes", () => {
    const plan = planned(planSplit(request(source)));
    for (const text of [plan.core.text, ...plan.groups.map((g) => g.text)]) {
      assert.match(
        text,
        /^# Generated by `npm run org -- split acme --by ou` from stacks\/Pulumi\.acme\.yaml\./,
      );
      assert.ok(
        text.includes("# The example organisation with keyless CI"),
        "the source's comment",
      );
    }
    assert.match(plan.core.text, /Core stack acme-core/);
    const group = plan.groups[2];
    assert.ok(group);
    assert.match(
      group.text,
      /Account-group stack acme-core-shared-services of core stack acme-core \(OU Shared Services\)/,
    );
    const flat = flatConfigFromStackFile(group.text);
    assert.deepEqual(JSON.parse(flat["tf-bootstrap:orgStack"] ?? ""), {
      part: "group",
      core: "acme-core",
    });
    assert.equal(JSON.parse(flat["tf-bootstrap:ci"] ?? "{}").pipeline, undefined);
    const whole = flatConfigFromStackFile(source);
    for (const key of Object.keys(whole)) {
      if (["tf-bootstrap:productAccounts", "tf-bootstrap:ci"].includes(key)) continue;
      assert.equal(flat[key], whole[key], `${key} differs from the source`);
    }
    const coreFlat = flatConfigFromStackFile(plan.core.text);
    assert.deepEqual(
      { ...coreFlat, "tf-bootstrap:orgStack": undefined },
      { ...whole, "tf-bootstrap:orgStack": undefined },
    );
    assert.deepEqual(JSON.parse(coreFlat["tf-bootstrap:orgStack"] ?? ""), { part: "core" });
  });

  it("the core registers the whole stack's Terraform-account resources and the groups its product-account resources, alike", async () => {
    const plan = planned(planSplit(request(source)));
    const whole = await synthesize(flatConfigFromStackFile(source), { stack: "acme" });
    const core = await synthesize(flatConfigFromStackFile(plan.core.text), {
      stack: plan.core.stack,
    });
    const products = productNames(whole.resources);
    assert.ok(products.size > 9 * 5, `too few product resources: ${products.size}`);
    const wholeProduct = whole.resources.filter((r) => products.has(identity(r)));
    const wholeTerraform = whole.resources.filter((r) => !products.has(identity(r)));
    assert.deepEqual(core.resources.map(identity).sort(), wholeTerraform.map(identity).sort());

    const union: RecordedResource[] = [];
    for (const group of plan.groups) {
      const result = await synthesize(flatConfigFromStackFile(group.text), {
        stack: group.stack,
        stackOutputs: { [plan.core.stack]: core.outputs },
      });
      assert.deepEqual(result.outputs.orgGroup, { core: "acme-core", accounts: group.accounts });
      const topology = result.resources.filter((r) => r.type === TOPOLOGY);
      assert.deepEqual(
        topology.map(identity),
        whole.resources.filter((r) => r.type === TOPOLOGY).map(identity),
      );
      union.push(
        ...result.resources.filter((r) => r.type !== TOPOLOGY && r.type !== STACK_REFERENCE),
      );
    }
    assert.deepEqual(union.map(identity).sort(), wholeProduct.map(identity).sort());
  });

  it("--migrate: the core keeps the source's name and adds only orgStack; groups adopt", async () => {
    const plan = planned(planSplit(request(source, { migrate: true })));
    assert.equal(plan.core.stack, "acme");
    assert.equal(plan.core.inPlace, true);
    assert.equal(
      plan.core.text,
      `${source.trimEnd()}\n  tf-bootstrap:orgStack:\n    part: core\n    handOver: true\n`,
    );
    assert.deepEqual(
      plan.groups.map((g) => g.stack),
      ["acme-sandbox", "acme-workloads", "acme-shared-services"],
    );
    const whole = await synthesize(flatConfigFromStackFile(source), { stack: "acme" });
    const core = await synthesize(flatConfigFromStackFile(plan.core.text), { stack: "acme" });
    // Handing over: every resource of the whole stack, the product accounts' retained.
    const products = productNames(whole.resources);
    assert.deepEqual(core.resources.map(identity).sort(), whole.resources.map(identity).sort());
    const wholeRetained = new Map(whole.resources.map((r) => [identity(r), r.retainOnDelete]));
    for (const r of core.resources.filter((x) => x.custom)) {
      const handedOver = products.has(identity(r)) && r.type !== "pulumi:providers:aws";
      assert.equal(
        r.retainOnDelete,
        handedOver || wholeRetained.get(identity(r)),
        `${r.type} ${r.name} retainOnDelete`,
      );
    }
    const group = plan.groups[1];
    assert.ok(group);
    assert.deepEqual(
      JSON.parse(flatConfigFromStackFile(group.text)["tf-bootstrap:orgStack"] ?? ""),
      {
        part: "group",
        core: "acme",
        adopt: true,
      },
    );
    const steps = migrationSteps(plan, "stacks").join("\n");
    for (const command of [
      "pulumi up --stack acme",
      "pulumi stack init acme-workloads",
      "pulumi up --stack acme-workloads",
      "pulumi preview --stack acme-shared-services --expect-no-changes",
    ]) {
      assert.ok(steps.includes(command), `the steps lack ${command}:\n${steps}`);
    }
  });

  it("--by size: groups of at most K in config order, K given or from the memory budget", () => {
    const k4 = planned(planSplit(request(source, { by: "size", maxAccounts: 4 })));
    assert.deepEqual(
      k4.groups.map((g) => [g.stack, g.accounts.length]),
      [
        ["acme-core-g1", 4],
        ["acme-core-g2", 4],
        ["acme-core-g3", 1],
      ],
    );
    assert.deepEqual(
      k4.groups.flatMap((g) => g.accounts),
      NINE_ACCOUNTS.map((a) => a.name),
    );
    // (3,000 − 1,024) / 430 = 4.6: four accounts per group.
    const budget = planned(planSplit(request(source, { by: "size", memoryBudgetMb: 3000 })));
    assert.equal(budget.sizing?.maxAccounts, 4);
    assert.match(
      budget.sizing?.arithmetic ?? "",
      /\(3,000 MB budget − 1,024 MB base\) \/ 430 MB per account .* = 4 accounts per group/,
    );
    for (const g of budget.groups) assert.ok(g.memoryMb <= 3000, `${g.stack}: ${g.memoryMb} MB`);
    assert.deepEqual(accountsForBudget(1454).accounts, 1);
    assert.deepEqual(accountsForBudget(1453).accounts, 0);
  });

  describe("refuses, with every problem named", () => {
    const cases: {
      name: string;
      text: string;
      extra: Partial<SplitRequest>;
      expected: RegExp[];
    }[] = [
      {
        name: "a stack that is already split",
        text: `${source}  tf-bootstrap:orgStack:\n    part: core\n`,
        extra: {},
        expected: [/already part of a split organisation \(orgStack.part: core\)/],
      },
      {
        name: "accounts without an ou (--by ou)",
        text: extendedExample([
          ...NINE_ACCOUNTS.slice(0, 7),
          { name: "ml-dev", id: "222222222208" },
          { name: "ml-prod", id: "222222222209" },
        ]),
        extra: {},
        expected: [
          /2 product accounts have no ou: ml-dev, ml-prod\..*set `ou`.*or split with --by size/,
        ],
      },
      {
        name: "K < 1",
        text: source,
        extra: { by: "size", maxAccounts: 0 },
        expected: [/--max-accounts 0: must be a whole number of accounts, at least 1/],
      },
      {
        name: "a memory budget below one account",
        text: source,
        extra: { by: "size", memoryBudgetMb: 1200 },
        expected: [
          /--memory-budget 1200: .* = 0 accounts per group; a group needs at least one\. Fix: give at least 1,454 MB/,
        ],
      },
      {
        name: "--core other than the source with --migrate, and a size with --by ou",
        text: source,
        extra: { migrate: true, core: "acme-core", maxAccounts: 3 },
        expected: [
          /--core acme-core with --migrate: the core stack keeps the source stack's name \(acme\)/,
          /--max-accounts and --memory-budget size groups for --by size only/,
        ],
      },
      {
        name: "an invalid config (the project's parser, every problem)",
        text: source
          .replace('id: "222222222201"', 'id: "2222"')
          .replace("region: eu-west-1", "region: mars-1"),
        extra: {},
        expected: [/12/, /region/],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const problems = problemsOf(planSplit(request(c.text, c.extra)));
        assert.equal(problems.length, c.expected.length, problems.join("\n"));
        c.expected.forEach((re, i) => assert.match(problems.join("\n"), re, `problem ${i}`));
      });
    }
  });
});
