/**
 * Everything the generated pipelines download and run, pinned: the GitHub actions by full
 * commit SHA, the GitLab job image by digest, and the Terraform and OpenTofu releases by the
 * SHA-256 of their `linux_amd64` archive. The pipelines name nothing by a tag that can move.
 *
 * How each value was obtained (no network to GitHub, Docker Hub or the release servers from
 * where this table is maintained):
 * - Actions: a snapshot of the action's repository, `git rev-parse <tag>^{commit}`; the tag is
 *   the newest release of its major version in the snapshot. Each runs on `node24`.
 * - The image: the digest of the multi-platform index of `alpine:3.22.2`, the same in many
 *   independent public Dockerfiles that pin it.
 * - Releases: the archive's line in the release's `SHA256SUMS` (HashiCorp signs it with the key
 *   `C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F`, OpenTofu with
 *   `E3E6 E43D 84CB 852E ADB0 051D 0C0A F313 E5FD 9F80`), the same value in several independent
 *   public build files.
 *
 * How to update (docs/pipelines.md, "Updating the pins"):
 * - An action: `git ls-remote https://github.com/OWNER/REPO refs/tags/vX.Y.Z` (the `^{}` line
 *   for an annotated tag), read the release notes and the diff since the pinned commit, then
 *   change `sha` and `version` together.
 * - The image: `docker buildx imagetools inspect alpine:X.Y.Z` prints the index digest.
 * - A release: download `<tool>_<version>_SHA256SUMS` and its signature, verify it with the key
 *   above (`gpg --verify`), and add the `linux_amd64.zip` line. Or set
 *   `ci.pipeline.toolSha256` in the stack config for a version the table lacks.
 * Then refresh the golden files (`UPDATE_GOLDEN=1 npm run test:unit`) and review their diff.
 */

/** One GitHub action, pinned to a commit. */
export interface ActionPin {
  /** `owner/name`. */
  readonly repository: string;
  /** The release tag the commit carries, written beside the SHA in the workflow. */
  readonly version: string;
  /** The full 40-hex-digit commit SHA. */
  readonly sha: string;
}

/** The actions the GitHub workflow uses. No other `uses:` appears in it. */
export const GITHUB_ACTION_PINS = {
  checkout: {
    repository: "actions/checkout",
    version: "v7.0.1",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
  },
  credentials: {
    repository: "aws-actions/configure-aws-credentials",
    version: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
  },
  githubScript: {
    repository: "actions/github-script",
    version: "v8.0.0",
    sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd",
  },
  uploadArtifact: {
    repository: "actions/upload-artifact",
    version: "v7.0.0",
    sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
  },
  downloadArtifact: {
    repository: "actions/download-artifact",
    version: "v8.0.1",
    sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
  },
} as const satisfies Record<string, ActionPin>;

/** What a `uses:` value is for a pin: `owner/name@sha`; the version goes in a comment. */
export function usesRef(pin: ActionPin): string {
  return `${pin.repository}@${pin.sha}`;
}

/** A container image pinned by digest. */
export interface ImagePin {
  readonly name: string;
  /** The tag the digest was taken from, for people. */
  readonly tag: string;
  /** `sha256:<64 hex>` of the multi-platform index. */
  readonly digest: string;
}

/**
 * The image every GitLab job runs in: a small Alpine that gets bash, curl, git, jq and unzip
 * from Alpine's signed package index, and the tool from its checksummed release archive.
 */
export const GITLAB_IMAGE: ImagePin = {
  name: "alpine",
  tag: "3.22.2",
  digest: "sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412",
};

/** `name:tag@digest`: the digest decides, the tag is for people. */
export function imageRef(pin: ImagePin): string {
  return `${pin.name}:${pin.tag}@${pin.digest}`;
}

/** The CLIs the pipelines install. */
export type PipelineTool = "terraform" | "tofu";

/**
 * SHA-256 of the `linux_amd64` release archive, by tool and version: the releases the stack
 * config may name without giving a checksum of its own (`ci.pipeline.toolSha256`).
 */
export const TOOL_RELEASE_SHA256: Readonly<Record<PipelineTool, Readonly<Record<string, string>>>> =
  {
    terraform: {
      "1.11.4": "1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc",
    },
    tofu: {
      "1.10.6": "15b7bed76420b50da3e121769c43341df8cd57d751ca14e6dbe9c850124c6dac",
    },
  };

/** The pinned checksum of a release, or `undefined` when the table lacks it. */
export function pinnedToolSha256(tool: PipelineTool, version: string): string | undefined {
  return TOOL_RELEASE_SHA256[tool][version];
}

/** Where a release archive is downloaded from (both projects' official release hosts). */
export function toolArchiveUrl(tool: PipelineTool, version: string): string {
  return tool === "tofu"
    ? `https://github.com/opentofu/opentofu/releases/download/v${version}/tofu_${version}_linux_amd64.zip`
    : `https://releases.hashicorp.com/terraform/${version}/terraform_${version}_linux_amd64.zip`;
}
