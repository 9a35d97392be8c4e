/** KMS reads: a key (by alias, id or ARN) with its rotation and policy. */
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import type { LiveKey } from "../../lib/audit/snapshot";
import { must, read } from "./errors";

/**
 * The key `keyRef` names (`alias/name`, a key id or ARN), or `undefined` when there is none.
 * `alias` is recorded on the key when the key was found through it.
 */
export async function readKey(kms: KMSClient, keyRef: string): Promise<LiveKey | undefined> {
  const described = await read(
    `describe KMS key ${keyRef} (kms:DescribeKey)`,
    () => kms.send(new DescribeKeyCommand({ KeyId: keyRef })),
    ["NotFoundException"],
  );
  const meta = described?.KeyMetadata;
  if (meta?.KeyId === undefined) return undefined;
  const keyId = meta.KeyId;
  const [rotation, policy] = await Promise.all([
    must(`read rotation of KMS key ${keyRef} (kms:GetKeyRotationStatus)`, () =>
      kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId })),
    ),
    must(`read policy of KMS key ${keyRef} (kms:GetKeyPolicy)`, () =>
      kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" })),
    ),
  ]);
  return {
    keyId,
    arn: meta.Arn ?? "",
    aliases: keyRef.startsWith("alias/") ? [keyRef] : [],
    rotationEnabled: rotation.KeyRotationEnabled === true,
    policy: policy.Policy ?? "",
    ...(meta.KeyState !== undefined ? { keyState: meta.KeyState } : {}),
  };
}
