import { strict as assert } from "node:assert";
import { auditStack } from "../../scripts/aws/audit-stack";
import { useMoto } from "../harness/moto";
import { deploy, findingKeys } from "./fixtures/deployed-stack";
import { DEPLOYER } from "./fixtures/moto-clients";
import { writeTestStack, type TestStack } from "./fixtures/stacks";
import { startAwsProxy, type AwsProxy } from "./fixtures/aws-proxy";

describe("audit under API throttling (moto behind a throttling proxy)", function () {
  const moto = useMoto();
  let stack: TestStack;
  let proxy: AwsProxy | undefined;
  before(function () {
    stack = writeTestStack("throttled", { products: 2 });
  });
  after(function () {
    stack.cleanup();
  });
  afterEach(async function () {
    await proxy?.close();
  });

  it("retries throttled reads with backoff and completes the audit", async function () {
    await deploy(moto(), stack);
    // The CI role's iam:GetRole is throttled three times before it goes through.
    const throttling = await startAwsProxy(moto().endpoint, {
      throttle: /Action=GetRole&.*RoleName=terraform-ci(?:&|$)/,
      throttleTimes: 3,
    });
    proxy = throttling;
    const report = await auditStack({
      stack: stack.name,
      config: stack.config,
      concurrency: 3,
      maxKeyAgeDays: 90,
      now: new Date(),
      endpoint: throttling.endpoint,
      credentials: DEPLOYER,
    });
    assert.deepEqual(throttling.counts, { matched: 4, throttled: 3 });
    assert.deepEqual(findingKeys(report), []);
    assert.equal(report.exitCode, 0);
  });
});
