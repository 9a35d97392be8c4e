import { strict as assert } from "node:assert";
import { renderText } from "../../lib/audit/render-text";
import type { AuditReport } from "../../lib/audit/report";
import type { OidcProviderPlan } from "../../lib/plan/model";
import { planTopology } from "../../lib/plan/topology";
import type { AccountClients } from "../../scripts/aws/clients";
import { useMoto } from "../harness/moto";
import { AUDIT_ROLE, setUpAuditor } from "./fixtures/auditor";
import { audit, deploy, findingKeys } from "./fixtures/deployed-stack";
import { productAccountId, TF_ACCOUNT, writeTestStack, type TestStack } from "./fixtures/stacks";
import { inAccount, tamper } from "./fixtures/tamper";

const explain = (report: AuditReport) => `\n${renderText(report)}`;

/** The OIDC provider a test stack declares. */
function declaredProvider(stack: TestStack): OidcProviderPlan {
  const provider = planTopology(stack.config).terraform.oidcProvider;
  assert.ok(provider, `stack ${stack.name} declares no OIDC provider`);
  return provider;
}

/** The findings of the Terraform account with `id`. */
function findingsWith(report: AuditReport, id: string) {
  return (report.accounts[0]?.findings ?? []).filter((f) => f.id === id);
}

interface Scenario {
  readonly name: string;
  readonly change: (provider: OidcProviderPlan) => (c: AccountClients) => Promise<unknown>;
  /** Exactly the findings the audit must report, as `account:check/id`. */
  readonly expected: readonly string[];
  /** What else to check on the report. */
  readonly verify?: (report: AuditReport, provider: OidcProviderPlan) => void;
}

const scenarios: Scenario[] = [
  {
    name: "a second audience added to the OIDC provider",
    change: (p) => tamper.setOidcAudiences(p.arn, p.url, [p.audience, "other-audience"]),
    expected: [
      "terraform:ci-identity-least-privilege/OIDC::Audiences",
      "terraform:declared-state-drift/Drift::OidcAudiences",
    ],
    verify: (report, p) => {
      const [drift] = findingsWith(report, "Drift::OidcAudiences");
      assert.equal(drift?.resource, `${p.arn} (audiences)`);
      assert.match(
        drift?.message ?? "",
        /accepts the audiences other-audience, sts\.amazonaws\.com/,
      );
      assert.match(drift?.message ?? "", /declares sts\.amazonaws\.com \(ci\.audience\) only/);
      assert.equal(drift?.diff, "+ other-audience\n  sts.amazonaws.com");
      const [guard] = findingsWith(report, "OIDC::Audiences");
      assert.equal(guard?.resource, p.arn);
      assert.match(guard?.message ?? "", /accepts 2 audiences/);
    },
  },
  {
    name: "the OIDC provider's audience replaced by another one",
    change: (p) => tamper.setOidcAudiences(p.arn, p.url, ["other-audience"]),
    // The pack holds both CI roles' trusts to the audience the provider accepts.
    expected: [
      "terraform:ci-role-trust-restrictive/OIDC::Audience:sts.amazonaws.com",
      "terraform:ci-role-trust-restrictive/OIDC::Audience:sts.amazonaws.com",
      "terraform:declared-state-drift/Drift::OidcAudiences",
    ],
    verify: (report) => {
      const [drift] = findingsWith(report, "Drift::OidcAudiences");
      assert.equal(drift?.diff, "- sts.amazonaws.com\n+ other-audience");
    },
  },
  {
    name: "an undeclared role that admits the OIDC provider's tokens (of another repository)",
    change: (p) => tamper.roleTrustingProvider("side-door", p),
    expected: ["terraform:live-state/Role::TrustsCi"],
    verify: (report, p) => {
      const [finding] = findingsWith(report, "Role::TrustsCi");
      assert.equal(finding?.resource, `arn:aws:iam::${TF_ACCOUNT}:role/side-door`);
      assert.match(finding?.message ?? "", new RegExp(`CI platform's OIDC provider ${p.arn}`));
      assert.match(finding?.message ?? "", /sts:AssumeRoleWithWebIdentity/);
    },
  },
  {
    name: "the OIDC provider deleted",
    change: (p) => tamper.deleteOidcProvider(p.arn),
    expected: ["terraform:declared-state-drift/Drift::Missing"],
    verify: (report, p) => {
      const [missing] = findingsWith(report, "Drift::Missing");
      assert.equal(missing?.resource, p.arn);
      assert.match(missing?.message ?? "", /does not exist in account 111111111111/);
      assert.match(missing?.fix ?? "", /pulumi up --refresh/);
    },
  },
];

describe("audit of an OIDC topology against moto", function () {
  const moto = useMoto();
  let stack: TestStack;
  let provider: OidcProviderPlan;
  before(function () {
    stack = writeTestStack("audited-oidc", { products: 2, ciMode: "github-oidc" });
    provider = declaredProvider(stack);
  });
  after(function () {
    stack.cleanup();
  });
  afterEach(async function () {
    await moto().setIamEnforcement(false);
  });

  it("finds nothing in a freshly deployed github-oidc topology", async function () {
    await deploy(moto(), stack);
    const report = await audit(moto(), stack);
    assert.deepEqual(findingKeys(report), [], explain(report));
    assert.equal(report.exitCode, 0);
    assert.ok(report.accounts.every((a) => a.status === "audited"));
  });

  it("reads the OIDC provider with the documented read-only audit role", async function () {
    await deploy(moto(), stack);
    const accounts = [TF_ACCOUNT, productAccountId(0), productAccountId(1)];
    const auditor = await setUpAuditor(moto().endpoint, accounts, accounts);
    await moto().setIamEnforcement(true);
    const report = await audit(moto(), stack, { auditRole: AUDIT_ROLE, credentials: auditor });
    assert.deepEqual(findingKeys(report), [], explain(report));
    assert.equal(report.exitCode, 0, explain(report));
  });

  it("reports the Terraform account when its audit role may not read the OIDC provider", async function () {
    await deploy(moto(), stack);
    const accounts = [TF_ACCOUNT, productAccountId(0), productAccountId(1)];
    const auditor = await setUpAuditor(moto().endpoint, accounts, accounts, {
      [TF_ACCOUNT]: ["iam:GetOpenIDConnectProvider"],
    });
    await moto().setIamEnforcement(true);
    const report = await audit(moto(), stack, { auditRole: AUDIT_ROLE, credentials: auditor });
    const terraform = report.accounts[0];
    assert.equal(terraform?.status, "not-audited", explain(report));
    assert.equal(terraform?.failure?.code, "AccessDenied");
    assert.equal(
      terraform?.failure?.stage,
      `read OIDC provider ${provider.arn} (iam:GetOpenIDConnectProvider)`,
    );
    assert.equal(report.exitCode, 2);
  });

  for (const scenario of scenarios) {
    it(`reports ${scenario.name}`, async function () {
      await deploy(moto(), stack);
      await inAccount(moto().endpoint, TF_ACCOUNT, scenario.change(provider));
      const report = await audit(moto(), stack);
      assert.deepEqual(findingKeys(report), [...scenario.expected].sort(), explain(report));
      assert.equal(report.exitCode, 1);
      scenario.verify?.(report, provider);
    });
  }
});

describe("audit of an OIDC topology with the account's existing provider (moto)", function () {
  const moto = useMoto();
  let stack: TestStack;
  let provider: OidcProviderPlan;
  before(function () {
    stack = writeTestStack("audited-oidc-existing", {
      products: 1,
      ciMode: "github-oidc",
      oidcProvider: "existing",
    });
    provider = declaredProvider(stack);
  });
  after(function () {
    stack.cleanup();
  });

  it("finds nothing when the account has the provider with the configured audience", async function () {
    await deploy(moto(), stack);
    await inAccount(
      moto().endpoint,
      TF_ACCOUNT,
      tamper.createOidcProvider(provider.url, [provider.audience]),
    );
    const report = await audit(moto(), stack);
    assert.deepEqual(findingKeys(report), [], explain(report));
    assert.equal(report.exitCode, 0);
  });

  it("reports the provider missing, with a fix that does not rely on pulumi up", async function () {
    await deploy(moto(), stack);
    const report = await audit(moto(), stack);
    assert.deepEqual(
      findingKeys(report),
      ["terraform:declared-state-drift/Drift::Missing"],
      explain(report),
    );
    const [missing] = findingsWith(report, "Drift::Missing");
    assert.equal(missing?.resource, provider.arn);
    assert.match(missing?.message ?? "", /ci\.oidcProvider: existing/);
    assert.match(missing?.fix ?? "", /Create the IAM OIDC provider for https:\/\/token\.actions/);
  });

  it("reports a second audience on the existing provider", async function () {
    await deploy(moto(), stack);
    await inAccount(
      moto().endpoint,
      TF_ACCOUNT,
      tamper.createOidcProvider(provider.url, [provider.audience, "other-audience"]),
    );
    const report = await audit(moto(), stack);
    assert.deepEqual(
      findingKeys(report),
      [
        "terraform:ci-identity-least-privilege/OIDC::Audiences",
        "terraform:declared-state-drift/Drift::OidcAudiences",
      ],
      explain(report),
    );
    const [drift] = findingsWith(report, "Drift::OidcAudiences");
    assert.match(drift?.fix ?? "", /iam:RemoveClientIDFromOpenIDConnectProvider/);
  });
});
