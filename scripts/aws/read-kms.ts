/** KMS reads: a key (by alias, id or ARN) with its rotation and policy. */
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
} from "@aws-sdk/client-kms";
import type { LiveKey } from "../../lib/audit/snapshot";
import type { AccountSession } from "./account-session";
import { all } from "./errors";

/**
 * The key `keyRef` names (`alias/name`, a key id or ARN), or `undefined` when there is none.
 * `alias` is recorded on the key when the key was found through it.
 */
export async function readKey(
  session: AccountSession,
  keyRef: string,
): Promise<LiveKey | undefined> {
  const described = await session.read(
    "DescribeKeyCommand",
    `describe KMS key ${keyRef} (kms:DescribeKey)`,
    (c, o) => c.kms.send(new DescribeKeyCommand({ KeyId: keyRef }), o),
    ["NotFoundException"],
  );
  if (described === undefined) return undefined;
  const meta = described.KeyMetadata;
  const keyId = meta.KeyId;
  const [rotation, policy] = await all([
    session.must(
      "GetKeyRotationStatusCommand",
      `read rotation of KMS key ${keyRef} (kms:GetKeyRotationStatus)`,
      (c, o) => c.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), o),
    ),
    session.must(
      "GetKeyPolicyCommand",
      `read policy of KMS key ${keyRef} (kms:GetKeyPolicy)`,
      (c, o) => c.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }), o),
    ),
  ]);
  return {
    keyId,
    arn: meta.Arn,
    aliases: keyRef.startsWith("alias/") ? [keyRef] : [],
    rotationEnabled: rotation.KeyRotationEnabled,
    policy: policy.Policy,
    ...(meta.KeyState !== undefined ? { keyState: meta.KeyState } : {}),
  };
}
