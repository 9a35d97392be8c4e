import type { LockMode } from "./deployed-outputs";

/**
 * The Terraform and OpenTofu versions the generated files are written for. The backend file
 * uses the `assume_role = { ... }` object (Terraform and OpenTofu 1.6+) and, unless the lock
 * mode is `dynamodb`, `use_lockfile` (OpenTofu 1.10+; Terraform 1.10 as an experiment, generally
 * available from 1.11).
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
      requiredVersion: ">= 1.6.0",
      opentofu: "1.6 or newer",
      terraform: "1.6 or newer (1.11+ warns that `dynamodb_table` is deprecated)",
      reason: "the backend's `assume_role` object needs 1.6",
    };
  }
  return {
    requiredVersion: ">= 1.10.0",
    opentofu: "1.10 or newer",
    terraform: "1.11 or newer (1.10 has the S3 lockfile only as an experiment)",
    reason: "the S3 lockfile (`use_lockfile`) needs OpenTofu 1.10 or Terraform 1.11",
  };
}
