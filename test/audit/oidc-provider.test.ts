import { strict as assert } from "node:assert";
import { RESTORE_FIX } from "../../lib/audit/finding";
import { liveStackView } from "../../lib/audit/live-view";
import { renderText } from "../../lib/audit/render-text";
import { buildAuditReport, type AuditReport } from "../../lib/audit/report";
import { intentOf } from "../../lib/guard/intent";
import type { AccountOutcome, AccountSnapshot, LiveOidcProvider } from "../../lib/audit/snapshot";
import { auditTargets } from "../../lib/audit/targets";
import { OIDC_PROVIDER_TYPE } from "../../lib/guard/topology";
import type { TopologyConfig } from "../../lib/config/parse";
import type { TopologyPlan } from "../../lib/plan/model";
import { planTopology } from "../../lib/plan/topology";
import { audited, declaredSnapshots } from "./fixtures/declared-snapshots";
import { writeTestStack, type StackOptions } from "./fixtures/stacks";

const NOW = new Date("2030-01-01T00:00:00Z");

interface Planned {
  readonly config: TopologyConfig;
  readonly plan: TopologyPlan;
}

function stackPlan(name: string, options: StackOptions): Planned {
  const stack = writeTestStack(name, options);
  stack.cleanup();
  return { config: stack.config, plan: planTopology(stack.config) };
}

const created = stackPlan("oidc-created", { products: 2, ciMode: "github-oidc" });
const existing = stackPlan("oidc-existing", {
  products: 2,
  ciMode: "github-oidc",
  oidcProvider: "existing",
});
const gitlab = stackPlan("oidc-gitlab", { products: 2, ciMode: "gitlab-oidc" });

/** The Terraform account's snapshot with its OIDC providers replaced. */
function withProviders(
  plan: TopologyPlan,
  providers: (declared: LiveOidcProvider) => LiveOidcProvider[],
): AccountOutcome[] {
  const [terraform, ...products] = declaredSnapshots(plan, NOW);
  assert.ok(terraform);
  const declared = terraform.oidcProviders[0];
  assert.ok(declared, "the declared snapshot has no OIDC provider");
  const changed: AccountSnapshot = { ...terraform, oidcProviders: providers(declared) };
  return audited([changed, ...products]);
}

function report({ config, plan }: Planned, outcomes: AccountOutcome[]): AuditReport {
  return buildAuditReport({
    stack: "oidc",
    plan,
    targets: auditTargets(config, plan),
    outcomes,
    now: NOW,
    maxKeyAgeDays: 90,
    intent: { kind: "known", intent: intentOf(config, plan) },
  });
}

function keys(r: AuditReport): string[] {
  return r.accounts.flatMap((a) => a.findings.map((f) => `${a.key}:${f.check}/${f.id}`)).sort();
}

interface Case {
  readonly name: string;
  readonly stack: Planned;
  readonly outcomes: (plan: TopologyPlan) => AccountOutcome[];
  readonly expected: readonly string[];
}

const cases: Case[] = [
  {
    name: "finds nothing in a created provider as declared",
    stack: created,
    outcomes: (plan) => audited(declaredSnapshots(plan, NOW)),
    expected: [],
  },
  {
    name: "finds nothing in an existing provider that accepts only the configured audience",
    stack: existing,
    outcomes: (plan) => audited(declaredSnapshots(plan, NOW)),
    expected: [],
  },
  {
    name: "finds nothing in a GitLab provider as declared",
    stack: gitlab,
    outcomes: (plan) => audited(declaredSnapshots(plan, NOW)),
    expected: [],
  },
  {
    name: "reports a second audience on a created provider",
    stack: created,
    outcomes: (plan) =>
      withProviders(plan, (p) => [{ ...p, clientIds: [...p.clientIds, "other-audience"] }]),
    expected: [
      "terraform:ci-identity-least-privilege/OIDC::Audiences",
      "terraform:declared-state-drift/Drift::OidcAudiences",
    ],
  },
  {
    name: "reports a second audience on an existing provider",
    stack: existing,
    outcomes: (plan) =>
      withProviders(plan, (p) => [{ ...p, clientIds: ["other-audience", ...p.clientIds] }]),
    expected: [
      "terraform:ci-identity-least-privilege/OIDC::Audiences",
      "terraform:declared-state-drift/Drift::OidcAudiences",
    ],
  },
  {
    name: "reports a provider without any audience",
    stack: created,
    outcomes: (plan) => withProviders(plan, (p) => [{ ...p, clientIds: [] }]),
    expected: [
      "terraform:ci-identity-least-privilege/OIDC::Audiences",
      "terraform:declared-state-drift/Drift::OidcAudiences",
    ],
  },
  {
    name: "reports a created provider deleted",
    stack: created,
    outcomes: (plan) => withProviders(plan, () => []),
    expected: ["terraform:declared-state-drift/Drift::Missing"],
  },
  {
    name: "reports an existing provider deleted",
    stack: existing,
    outcomes: (plan) => withProviders(plan, () => []),
    expected: ["terraform:declared-state-drift/Drift::Missing"],
  },
  {
    name: "says nothing about the provider of a Terraform account not reached",
    stack: created,
    outcomes: (plan) => {
      const [terraform, ...products] = audited(declaredSnapshots(plan, NOW));
      assert.ok(terraform?.kind === "audited");
      const failure = {
        stage: "assume",
        code: "AccessDenied",
        message: "denied",
        class: "access" as const,
      };
      return [
        { kind: "failed", key: "terraform", accountId: terraform.snapshot.accountId, failure },
        ...products,
      ];
    },
    expected: [],
  },
];

describe("audit of the OIDC provider", function () {
  for (const c of cases) {
    it(c.name, function () {
      const r = report(c.stack, c.outcomes(c.stack.plan));
      assert.deepEqual(keys(r), [...c.expected].sort(), renderText(r));
    });
  }

  it("reads the Terraform account's provider in the OIDC modes only", function () {
    const ids = ({ config, plan }: Planned) =>
      auditTargets(config, plan).map((t) => [t.key, t.oidcProviders]);
    const arn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
    assert.deepEqual(ids(created), [
      ["terraform", [arn]],
      ["p00", []],
      ["p01", []],
    ]);
    assert.deepEqual(ids(existing)[0], ["terraform", [arn]]);
    assert.deepEqual(ids(stackPlan("oidc-none", { products: 1 })), [
      ["terraform", []],
      ["p00", []],
    ]);
  });

  it("puts the provider in the view as the program registers it, in the Terraform account", function () {
    const plan = created.plan;
    const live = liveStackView(plan, audited(declaredSnapshots(plan, NOW)));
    const providers = live.view.resources.filter((r) => r.type === OIDC_PROVIDER_TYPE);
    assert.deepEqual(
      providers.map((r) => r.props),
      [
        {
          url: "https://token.actions.githubusercontent.com",
          clientIdLists: ["sts.amazonaws.com"],
          arn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
        },
      ],
    );
    const [provider] = providers;
    assert.ok(provider);
    assert.deepEqual(provider.provider?.props.allowedAccountIds, ["111111111111"]);
    assert.equal(live.accountOf.get(provider.urn)?.key, "terraform");
    assert.equal(live.placeholders.has(provider.urn), false);
  });

  it("names the declared and the live audiences of a changed provider", function () {
    const r = report(
      created,
      withProviders(created.plan, (p) => [{ ...p, clientIds: ["other-audience"] }]),
    );
    const drift = r.accounts[0]?.findings.find((f) => f.id === "Drift::OidcAudiences");
    assert.equal(
      drift?.message,
      "The OIDC provider arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com " +
        "accepts the audiences other-audience (client ids); the stack declares sts.amazonaws.com " +
        "(ci.audience) only.",
    );
    assert.equal(drift?.diff, "- sts.amazonaws.com\n+ other-audience");
    assert.equal(drift?.fix, RESTORE_FIX);
  });

  it("tells how to restore a provider the stack does not manage", function () {
    const r = report(
      existing,
      withProviders(existing.plan, () => []),
    );
    const missing = r.accounts[0]?.findings.find((f) => f.id === "Drift::Missing");
    assert.match(missing?.message ?? "", /no CI job can authenticate/);
    assert.match(missing?.message ?? "", /ci\.oidcProvider: existing/);
    assert.notEqual(missing?.fix, RESTORE_FIX);
    assert.match(
      missing?.fix ?? "",
      /^Create the IAM OIDC provider for https:\/\/token\.actions\.githubusercontent\.com with sts\.amazonaws\.com as its only audience/,
    );
  });
});
