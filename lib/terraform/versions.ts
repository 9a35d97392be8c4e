import type { LockMode } from "./deployed-outputs";

/**
 * The Terraform and OpenTofu versions the generated files are written for. Unless the lock mode
 * is `dynamodb`, the backend file sets `use_lockfile` (OpenTofu 1.10+; Terraform 1.10 as an
 * experiment, generally available from 1.11). Otherwise the floor is 1.9 for both: the
 * workspace guard in `accounts.tf` is a variable validation that reads `terraform.workspace`,
 * which Terraform allows from 1.9 and OpenTofu from 1.9 (both have the S3 backend rewritten on
 * the AWS SDK for Go v2 that the files are tested with). `workspace select -or-create` needs
 * Terraform 1.4.
 */
export interface VersionSupport {
  /** Oldest OpenTofu release that runs the files, as a `required_version` constraint. */
  readonly requiredVersion: string;
  /** OpenTofu releases supported, for people. */
  readonly opentofu: string;
  /** Terraform releases supported, for people. */
  readonly terraform: string;
  /** Why the floor is where it is. */
  readonly reason: string;
}

/** The OpenTofu release the end-to-end tests run the generated files with. */
export const TESTED_OPENTOFU = "1.10.10";

/** Supported versions for a lock mode. */
export function supportedVersions(lockMode: LockMode): VersionSupport {
  if (lockMode === "dynamodb") {
    return {
      requiredVersion: ">= 1.9.0",
      opentofu: "1.9 or newer",
      terraform: "1.9 or newer (1.11+ warns that `dynamodb_table` is deprecated)",
      reason:
        "the workspace guard, a validation of `var.accounts` that reads `terraform.workspace`, needs OpenTofu 1.9 or Terraform 1.9",
    };
  }
  return {
    requiredVersion: ">= 1.10.0",
    opentofu: "1.10 or newer",
    terraform: "1.11 or newer (1.10 has the S3 lockfile only as an experiment)",
    reason: "the S3 lockfile (`use_lockfile`) needs OpenTofu 1.10 or Terraform 1.11",
  };
}
