/**
 * Figures of the credential-read table: how many List and Read actions the detector flags in the
 * pinned IAM action catalog, how many the table denies and allows, and what a Deny statement
 * naming every denied action costs against IAM's size quotas (IAM does not count white space),
 * in total and per service; then the plan role's inline policy with that Deny, for the services
 * given (default: the example stack's `allowedServices`).
 *
 *   npx ts-node --transpile-only scripts/credential-read-figures.ts [--services ec2,s3,...]
 *
 * Prints figures; asserts nothing.
 */
import { catalogVersion, ACTION_CATALOG_PACKAGE } from "../lib/iam/action-catalog";
import {
  CREDENTIAL_READ_DENIES,
  CREDENTIAL_READ_REVIEWS,
  detectCredentialReads,
  unreviewedCredentialReads,
} from "../lib/iam/credential-reads";
import { deny, policyDocument } from "../lib/iam/documents";
import type { Statement } from "../lib/iam/types";
import { IAM_LIMITS, policySize } from "../lib/plan/limits";
import {
  DENY_SECRET_READS_SID,
  planReadStatements,
  SECRET_READ_ACTIONS,
} from "../lib/plan/plan-permissions";

/** The example stack's `terraformRole.allowedServices` (stacks/Pulumi.example.yaml). */
const EXAMPLE_SERVICES = [
  "cloudwatch",
  "dynamodb",
  "ec2",
  "ecs",
  "elasticloadbalancing",
  "lambda",
  "logs",
  "rds",
  "s3",
  "sns",
  "sqs",
];

function servicesArg(argv: readonly string[]): string[] {
  const at = argv.indexOf("--services");
  const value = at >= 0 ? argv[at + 1] : undefined;
  return value === undefined ? EXAMPLE_SERVICES : value.split(",").filter((s) => s !== "");
}

function denyStatement(actions: readonly string[]): Statement {
  return deny({ sid: DENY_SECRET_READS_SID, actions, resources: ["*"] });
}

/** Characters IAM counts for a document holding only `statement`. */
function sizeAlone(statement: Statement): number {
  return policySize(policyDocument(statement));
}

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

function main(): void {
  const services = servicesArg(process.argv.slice(2));
  const detected = detectCredentialReads();
  const denied = CREDENTIAL_READ_REVIEWS.filter((r) => r.verdict === "deny");
  const allowed = CREDENTIAL_READ_REVIEWS.filter((r) => r.verdict === "allow");
  const unreviewed = unreviewedCredentialReads();
  const onlySecretReads = SECRET_READ_ACTIONS.filter((a) => !denied.some((r) => r.action === a));

  console.log(`catalog: ${ACTION_CATALOG_PACKAGE} ${catalogVersion()}`);
  console.log(`detected List/Read credential reads: ${detected.length}`);
  console.log(`reviewed: ${CREDENTIAL_READ_REVIEWS.length} (unreviewed: ${unreviewed.length})`);
  console.log(`  deny:  ${denied.length}`);
  console.log(`  allow: ${allowed.length}`);
  console.log(
    `CREDENTIAL_READ_DENIES: ${CREDENTIAL_READ_DENIES.length} actions ` +
      `(${denied.length} deny verdicts + ${onlySecretReads.length} of SECRET_READ_ACTIONS ` +
      `the detector does not flag: ${onlySecretReads.join(", ")})`,
  );

  const full = denyStatement(CREDENTIAL_READ_DENIES);
  const fullSize = sizeAlone(full);
  const fullPretty = JSON.stringify(policyDocument(full), null, 2).length;
  const current = sizeAlone(denyStatement(SECRET_READ_ACTIONS));
  console.log("");
  console.log("Deny statement naming every denied action, alone in a policy document:");
  console.log(`  IAM size (no white space): ${fullSize} characters`);
  console.log(`  pretty-printed (2-space JSON): ${fullPretty} characters`);
  console.log(
    `  share of the role inline aggregate (${IAM_LIMITS.roleInlineAggregate}): ` +
      `${percent(fullSize, IAM_LIMITS.roleInlineAggregate)}; of one managed policy ` +
      `(${IAM_LIMITS.managedPolicy}): ${percent(fullSize, IAM_LIMITS.managedPolicy)}`,
  );
  console.log(`  today's DenyReadingSecrets (SECRET_READ_ACTIONS only): ${current} characters`);

  const perService = new Map<string, string[]>();
  for (const action of CREDENTIAL_READ_DENIES) {
    const service = action.slice(0, action.indexOf(":"));
    perService.set(service, [...(perService.get(service) ?? []), action]);
  }
  console.log("");
  console.log(`per service (${perService.size} services): denied actions, characters they add`);
  const rows = [...perService.entries()]
    .map(([service, actions]) => ({
      service,
      count: actions.length,
      // Each action is one quoted JSON string and a comma in the Action array.
      chars: actions.reduce((n, a) => n + JSON.stringify(a).length + 1, 0),
    }))
    .sort((a, b) => b.chars - a.chars || (a.service < b.service ? -1 : 1));
  for (const row of rows) {
    console.log(`  ${row.service.padEnd(28)} ${String(row.count).padStart(3)} ${row.chars}`);
  }

  const reads = planReadStatements(services);
  const planPolicy = policySize(policyDocument(...reads, full));
  const planToday = policySize(policyDocument(...reads, denyStatement(SECRET_READ_ACTIONS)));
  const inServices = CREDENTIAL_READ_DENIES.filter((a) =>
    services.includes(a.slice(0, a.indexOf(":"))),
  );
  const planScoped = policySize(policyDocument(...reads, denyStatement(inServices)));
  console.log("");
  console.log(`plan role inline policy for ${services.length} services (${services.join(", ")}):`);
  console.log(`  with today's Deny:                          ${planToday}`);
  console.log(`  with the full Deny:                         ${planPolicy}`);
  console.log(
    `  with the Deny limited to these services:    ${planScoped} (${inServices.length} actions)`,
  );
  console.log(`  IAM allows all inline policies of a role:   ${IAM_LIMITS.roleInlineAggregate}`);
}

main();
