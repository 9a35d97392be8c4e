/**
 * Risks a stack accepts on purpose: settings that lift one of the topology's safeguards only
 * because the config says so. The synth report lists each one in its text, `--json` and
 * `report.md` outputs, so a reviewer sees the acceptance next to the verdicts, never only in
 * the stack file.
 */
import { configPath } from "./parse";
import { objectAt, type Raw } from "./raw";

/** One accepted risk: the setting that accepts it and what it means. */
export interface AcknowledgedRisk {
  /** The config key, such as `tf-bootstrap:terraformRole.acknowledgeIamWithoutBoundary`. */
  readonly setting: string;
  /** What the stack allows because of it, in the reviewer's terms. */
  readonly message: string;
}

/** The risks the stack config (keys without the namespace) acknowledges, in config order. */
export function acknowledgedRisks(raw: Raw): AcknowledgedRisk[] {
  const risks: AcknowledgedRisk[] = [];
  if (objectAt(raw, "terraformRole").acknowledgeIamWithoutBoundary === true) {
    risks.push({
      setting: configPath(["terraformRole", "acknowledgeIamWithoutBoundary"]),
      message:
        "the Terraform role manages IAM without a permissions boundary: merged Terraform code can create a role with any permission in every product account and take it, so it controls those accounts, the plan role included. Set terraformRole.permissionsBoundary to bound what it creates.",
    });
  }
  return risks;
}
