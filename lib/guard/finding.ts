/**
 * What a guard policy reports: one finding per problem, with a stable id an exception can name.
 */
import type { Read } from "./read";
import { refOf, type ResourceRef, type ResourceView } from "./view";

/** Every guard policy's name. Names are a contract: users key config and exceptions by them. */
export const POLICY_NAMES = [
  "terraform-role-policies-identical",
  "terraform-role-trust-restrictive",
  "terraform-role-self-protection",
  "plan-role-read-only",
  "plan-roles-identical",
  "ci-role-trust-restrictive",
  "ci-role-assume-scoped",
  "ci-apply-role-environment-scoped",
  "ci-role-least-privilege",
  "ci-identity-least-privilege",
  "state-backend-hardened",
  "audit-trail-enabled",
  "explicit-provider-pinned",
  "org-stack-consistent",
] as const;

/** One of {@link POLICY_NAMES}. */
export type PolicyName = (typeof POLICY_NAMES)[number];

/** One problem a policy found. */
export interface Finding {
  readonly policy: PolicyName;
  /**
   * Stable id of the cause, e.g. `Principal::*`, `Action::sts:*`, `Unknown::assumeRolePolicy`;
   * an exception names it.
   */
  readonly id: string;
  /** What is wrong, the offending value, and how to fix it. */
  readonly message: string;
  /** The resource the finding is about; absent for findings about the stack as a whole. */
  readonly resource?: ResourceRef;
}

/** Collects the findings of one policy. */
export class Findings {
  private readonly items: Finding[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly policy: PolicyName) {}

  /** Adds a finding; a repeat of the same id on the same resource is dropped. */
  add(id: string, message: string, resource?: ResourceView): void {
    const key = `${resource?.urn ?? ""}\u0000${id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({
      policy: this.policy,
      id,
      message,
      ...(resource ? { resource: refOf(resource) } : {}),
    });
  }

  /**
   * Reports a value the policy needs but cannot read: unknown at preview, or of the wrong type.
   * Returns `true` when it reported (the read was not a value and not absent).
   */
  unreadable(read: Read<unknown>, resource: ResourceView, what: string): boolean {
    if (read.kind === "unknown") {
      this.add(`Unknown::${read.path}`, unknownMessage(resource, read.path, what), resource);
      return true;
    }
    if (read.kind === "invalid") {
      this.add(
        `Invalid::${read.path}`,
        `${describe(resource)}: ${read.path} is not ${read.expected}, so ${what} cannot be ` +
          `checked; the policy fails closed. Fix: set ${read.path} to ${read.expected}.`,
        resource,
      );
      return true;
    }
    return false;
  }

  /** Adds every finding of `other` (collected for the same policy). */
  merge(other: Findings): void {
    for (const item of other.items) {
      const key = `${item.resource?.urn ?? ""}\u0000${item.id}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.items.push(item);
    }
  }

  /** How many findings were collected. */
  get size(): number {
    return this.items.length;
  }

  /** The findings, in the order they were added. */
  list(): Finding[] {
    return [...this.items];
  }
}

/** `aws:iam/role:Role 'dev-terraform-role'`. */
export function describe(resource: ResourceView): string {
  return `${resource.type} '${resource.name}'`;
}

/** The message of an `Unknown::<path>` finding. */
export function unknownMessage(resource: ResourceView, path: string, what: string): string {
  return (
    `${describe(resource)}: ${path} is not known during preview (it is computed from another ` +
    `resource's output), so ${what} cannot be checked and the policy fails closed instead of ` +
    `letting CrossGuard downgrade it to an advisory note. Fix: build ${path} from stack config ` +
    `(account ids, partition, names; see lib/arn.ts) rather than from another resource's ` +
    `output, so the whole value is known at preview.`
  );
}
