import { strict as assert } from "node:assert";
import {
  checkAnswer,
  MalformedResponseError,
  rawBodyProblem,
  RESPONSE_SHAPES,
  type Operation,
} from "../../scripts/aws/response-shapes";

const operations = Object.keys(RESPONSE_SHAPES) as Operation[];
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});
const role = {
  RoleName: "terraform",
  Path: "/",
  Arn: "arn:aws:iam::200000000000:role/terraform",
  RoleId: "AROAEXAMPLEEXAMPLE01",
  AssumeRolePolicyDocument: encodeURIComponent(trust),
};

function refused(operation: Operation, output: unknown): string {
  try {
    checkAnswer(operation, output);
  } catch (error) {
    assert.ok(error instanceof MalformedResponseError, String(error));
    return error.message;
  }
  return assert.fail(`${operation} accepted ${JSON.stringify(output)}`);
}

describe("response shapes", function () {
  it("refuse `{}` (what the SDK makes of an empty or HTML 200) for every read but two", function () {
    const accepted = operations.filter((operation) => {
      try {
        checkAnswer(operation, {});
        return true;
      } catch {
        return false;
      }
    });
    // A bucket without versioning or logging is a non-empty XML document without the field:
    // for these two, the raw-body check refuses the empty body before the SDK parses it.
    assert.deepEqual(accepted, ["GetBucketVersioningCommand", "GetBucketLoggingCommand"]);
    assert.match(rawBodyProblem(new Uint8Array()) ?? "", /is empty/);
    assert.match(rawBodyProblem(Buffer.from("  \n")) ?? "", /is empty/);
  });

  it("name the missing field: a role list without Roles", function () {
    assert.match(
      refused("ListRolesCommand", { IsTruncated: false }),
      /^the ListRoles answer lacks what the audit reads \(Roles: expected array, received undefined\)$/,
    );
  });

  it("hold IsTruncated to a Marker, and accept an absent IsTruncated as the last page", function () {
    assert.match(
      refused("ListRolesCommand", { Roles: [role], IsTruncated: true }),
      /Marker: says IsTruncated but gives no Marker for the next page/,
    );
    assert.match(
      refused("ListRolesCommand", { Roles: [role], IsTruncated: true, Marker: "" }),
      /gives no Marker/,
    );
    const page = checkAnswer("ListRolesCommand", { Roles: [role], IsTruncated: true, Marker: "m" });
    assert.equal(page.Marker, "m");
    assert.deepEqual(
      checkAnswer("ListSSHPublicKeysCommand", { SSHPublicKeys: [] }).SSHPublicKeys,
      [],
    );
  });

  it("decode IAM's URL-encoded documents and refuse one that is not JSON of an object", function () {
    const answer = checkAnswer("GetRoleCommand", { Role: role });
    assert.equal(answer.Role.AssumeRolePolicyDocument, trust);
    assert.match(
      refused("GetRoleCommand", { Role: { ...role, AssumeRolePolicyDocument: "%7B%22Version" } }),
      /Role\.AssumeRolePolicyDocument: the policy document is not JSON/,
    );
    assert.match(
      refused("GetBucketPolicyCommand", { Policy: "<html><body>Gateway</body></html>" }),
      /Policy: the policy document is not JSON \(it starts with "<html>/,
    );
    assert.match(refused("GetKeyPolicyCommand", { Policy: "[]" }), /is JSON but not an object/);
  });

  it("require the flags the checks judge: logging, rotation, the trail's settings", function () {
    assert.match(refused("GetTrailStatusCommand", { LatestDeliveryTime: 1 }), /IsLogging/);
    assert.match(refused("GetKeyRotationStatusCommand", {}), /KeyRotationEnabled/);
    assert.match(
      refused("GetTrailCommand", {
        Trail: {
          Name: "t",
          TrailARN: "arn",
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: true,
        },
      }),
      /Trail\.LogFileValidationEnabled/,
    );
    assert.match(
      refused("GetEventSelectorsCommand", { TrailARN: "arn" }),
      /neither EventSelectors/,
    );
    assert.equal(checkAnswer("GetTrailStatusCommand", { IsLogging: false }).IsLogging, false);
  });

  it("tell an HTML page from an AWS answer, whatever its content type", function () {
    assert.match(rawBodyProblem(Buffer.from("\n<!DOCTYPE html><html>")) ?? "", /an HTML page/);
    assert.match(rawBodyProblem(Buffer.from("<HTML><body>")) ?? "", /an HTML page/);
    assert.equal(
      rawBodyProblem(Buffer.from('<?xml version="1.0"?><ListRolesResponse/>')),
      undefined,
    );
    assert.equal(rawBodyProblem(Buffer.from('{"KeyRotationEnabled": true}')), undefined);
  });
});
