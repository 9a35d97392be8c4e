/**
 * Turns a guard policy (`lib/guard/policies.ts`) into a CrossGuard policy: adapts the
 * arguments, runs the shared analysis with the policy's config, and reports every finding that
 * no exception accepts as a violation of the policy's level. Anything that stops the analysis
 * is itself reported as a violation, so a policy never passes by not running.
 */
import type {
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  configProperties,
  guardPolicy,
  pathText,
  runResourcePolicy,
  runStackPolicy,
  type Finding,
  type GuardPolicy,
  type PolicyName,
} from "../lib/guard";
import { isUnknownValueError, resourceView, stackView } from "./adapt";
import { stackIntent } from "./stack-config";

/** The text CrossGuard shows: the finding's id first, so an exception can be written from it. */
export function violationText(finding: Finding): string {
  return `[${finding.id}] ${finding.message}`;
}

function configSchema(policy: GuardPolicy): PolicyConfigSchema {
  return { properties: configProperties(policy) };
}

function reportFailure(policy: PolicyName, error: unknown, report: ReportViolation): void {
  if (isUnknownValueError(error)) {
    const path = pathText(error.props.map(String));
    report(
      `[Unknown::${path}] ${path} is not known during preview, so policy '${policy}' cannot run; ` +
        `it fails closed instead of being downgraded to an advisory note. Fix: build the value ` +
        `from stack config so it is known at preview.`,
    );
    return;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  report(
    `[Guard::Error] policy '${policy}' could not run and fails closed: ${detail}. This is a bug ` +
      `in the policy pack; report it with this message.`,
  );
}

function base(policy: GuardPolicy) {
  return {
    name: policy.name,
    description: policy.description,
    enforcementLevel: policy.defaultLevel,
    configSchema: configSchema(policy),
  };
}

/** The CrossGuard stack policy for the guard's stack policy `name`. */
export function stackPolicy(name: PolicyName): StackValidationPolicy {
  const policy = guardPolicy(name);
  if (policy.scope !== "stack") throw new Error(`bug: ${name} is not a stack policy`);
  return {
    ...base(policy),
    validateStack: (args, reportViolation) => {
      try {
        const run = runStackPolicy(
          policy,
          stackView(args),
          args.getConfig<object>(),
          stackIntent(),
        );
        for (const finding of run.findings) {
          reportViolation(violationText(finding), finding.resource?.urn);
        }
      } catch (error) {
        reportFailure(name, error, reportViolation);
      }
    },
  };
}

/** The CrossGuard resource policy for the guard's resource policy `name`. */
export function resourcePolicy(name: PolicyName): ResourceValidationPolicy {
  const policy = guardPolicy(name);
  if (policy.scope !== "resource") throw new Error(`bug: ${name} is not a resource policy`);
  return {
    ...base(policy),
    validateResource: (args, reportViolation) => {
      try {
        const run = runResourcePolicy(policy, resourceView(args), args.getConfig<object>());
        for (const finding of run.findings) reportViolation(violationText(finding));
      } catch (error) {
        reportFailure(name, error, reportViolation);
      }
    },
  };
}
