/**
 * The identity-policy documents of a role or user that the stack lets the guard read: its inline
 * policies, and the managed policies the stack itself defines (`aws.iam.Policy`). A managed
 * policy defined elsewhere cannot be read and is reported, as is any unknown or invalid part.
 */
import type { PolicyDocument } from "../iam/types";
import { parseDocument } from "./documents";
import { describe, type Findings } from "./finding";
import { permissionsOf, readDocumentText, type PrincipalEntry } from "./iam-index";
import { principalLabel, type Topology } from "./topology";
import type { ResourceView } from "./view";

/** A readable document of a principal, and where it comes from. */
export interface SourcedDocument {
  readonly label: string;
  readonly resource: ResourceView;
  readonly document: PolicyDocument;
}

/**
 * Every identity-policy document of `principal` the stack lets the guard read. Unknown or
 * unreadable parts, and managed policies the stack does not define, are reported.
 */
export function readableDocuments(
  topology: Topology,
  principal: PrincipalEntry,
  out: Findings,
  /** Managed policies the caller judges by their ARN alone; not reported as unreadable. */
  judgedByArn: (arn: string) => boolean = () => false,
): SourcedDocument[] {
  const permissions = permissionsOf(topology.index, principal);
  for (const item of permissions.unreadable) out.unreadable(item.read, item.resource, item.what);
  const docs: SourcedDocument[] = [];
  for (const inline of permissions.inline) {
    const label = `inline policy '${inline.name}' (${describe(inline.source)})`;
    const doc = parseDocument(inline.document, inline.source, label, out);
    if (doc) docs.push({ label, resource: inline.source, document: doc });
  }
  for (const arn of permissions.managedArns) {
    if (judgedByArn(arn)) continue;
    const policy = topology.index.managedPolicy(arn);
    const text = policy ? readDocumentText(policy, "policy") : undefined;
    if (policy && text?.kind === "value") {
      const label = `managed policy ${arn} (${describe(policy)})`;
      const doc = parseDocument(text.value, policy, label, out);
      if (doc) docs.push({ label, resource: policy, document: doc });
    } else if (policy && text && out.unreadable(text, policy, `managed policy ${arn}`)) {
      // reported
    } else {
      out.add(
        `ManagedPolicy::${arn}`,
        `${principalLabel(principal)} has the managed policy ${arn} attached, whose document the ` +
          `stack does not define, so the policy cannot tell what it grants and fails closed. ` +
          `Fix: give the permissions as an inline policy built from config, or define the ` +
          `managed policy in this stack (aws.iam.Policy).`,
        principal.resource,
      );
    }
  }
  return docs;
}
