/**
 * The AWS regions, by partition, as the AWS SDK's endpoint rules list them (`partitions.json`
 * of `@aws-sdk/core`, checked by a test). A region that no partition lists is refused with the
 * closest known region; a region of a partition tf-bootstrap does not support is named as such.
 */
import { closest } from "./closest";

/** The partitions tf-bootstrap supports, each with its regions. */
export const SUPPORTED_REGIONS: Readonly<
  Record<"aws" | "aws-us-gov" | "aws-cn", readonly string[]>
> = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "me-west-1",
    "mx-central-1",
    "sa-east-1",
    "sa-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
};

/** Regions of partitions tf-bootstrap does not support (isolated and sovereign clouds). */
export const UNSUPPORTED_REGIONS: Readonly<Record<string, readonly string[]>> = {
  "aws-eusc": ["eusc-de-east-1"],
  "aws-iso": ["us-iso-east-1", "us-iso-west-1"],
  "aws-iso-b": ["us-isob-east-1", "us-isob-west-1"],
  "aws-iso-e": ["eu-isoe-west-1"],
  "aws-iso-f": ["us-isof-east-1", "us-isof-south-1"],
};

/** The partition whose region list holds `region`, supported or not; undefined when none does. */
export function partitionListing(region: string): string | undefined {
  for (const table of [SUPPORTED_REGIONS, UNSUPPORTED_REGIONS]) {
    for (const [partition, regions] of Object.entries(table)) {
      if (regions.includes(region)) return partition;
    }
  }
  return undefined;
}

/** Every region of a supported partition. */
export function supportedRegions(): string[] {
  return Object.values(SUPPORTED_REGIONS).flat();
}

/**
 * Why `region` cannot be used in `partition`, or `undefined` when it can. The message says what
 * is allowed and suggests the closest region of the partition.
 */
export function regionProblem(region: string, partition: string): string | undefined {
  const listed = partitionListing(region);
  const own = (SUPPORTED_REGIONS as Readonly<Record<string, readonly string[]>>)[partition];
  if (listed === partition) return undefined;
  if (listed !== undefined && own === undefined) return undefined; // the partition is reported
  if (listed !== undefined && listed in SUPPORTED_REGIONS) {
    return `belongs to the '${listed}' partition but partition is '${partition}'. Set tf-bootstrap:partition to '${listed}' or choose a region of '${partition}'${exampleOf(own)}.`;
  }
  if (listed !== undefined) {
    return `is a region of the '${listed}' partition, which tf-bootstrap does not support (supported: ${Object.keys(SUPPORTED_REGIONS).join(", ")}). Choose a region of '${partition}'${exampleOf(own)}.`;
  }
  const hint = closest(region, own ?? supportedRegions());
  const known = own ? ` The regions of '${partition}' are ${own.join(", ")}.` : "";
  return `is not an AWS region${hint ? `; did you mean '${hint}'?` : "."}${known} Use the region code, as in eu-west-1.`;
}

function exampleOf(regions: readonly string[] | undefined): string {
  return regions?.[0]
    ? `, such as ${regions.includes("us-east-1") ? "us-east-1" : regions[0]}`
    : "";
}
