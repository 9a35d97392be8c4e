// The CrossGuard pack: assembly only. Each policy's adapter is in this folder (one file per
// domain); its analysis is in ../lib/guard, shared with `npm run synth`.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packPolicies } from "./policies";
import { captureStackConfig } from "./stack-config";

// The engine sends the stack config to the pack; the policies judge the stack against it.
captureStackConfig();

new PolicyPack(PACK_NAME, {
  enforcementLevel: "mandatory",
  description: "Keeps tf-bootstrap's multi-account Terraform topology least-privilege.",
  policies: packPolicies(),
});
