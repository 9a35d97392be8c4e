/**
 * The guard's view of a stack from a list of registrations, as a recorder of the program sees
 * them (the offline synth's mock runtime): type, name, parent and provider by name, inputs and
 * options. URNs are built the way the engine builds them, and each resource gets its provider's
 * inputs, so the view is the one CrossGuard would hand the pack for the same program (with
 * inputs where the engine would give outputs: a superset at preview).
 */
import { toViewProps, type ProviderView, type ResourceView, type StackView } from "./view";

/** One registered resource. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  /** Whether it is a custom resource (not a component); parents are looked up among components first. */
  readonly custom?: boolean;
  /** Name of the parent resource, when there is one (the stack itself is not recorded). */
  readonly parent?: string;
  /** Name of the explicit provider, when there is one. */
  readonly provider?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly protect: boolean;
  readonly retainOnDelete?: boolean;
}

/** Where the registrations were made. */
export interface RegistrationContext {
  readonly project: string;
  readonly stack: string;
}

/**
 * Builds the view. A parent or provider that is not among the registrations leaves the
 * resource without one (and the provider policy reports it).
 */
export function viewFromRegistrations(
  registrations: readonly Registration[],
  context: RegistrationContext,
): StackView {
  // Names are unique per type, not overall (a component and its trail may share one): a parent
  // is looked up among components first.
  const parents = new Map<string, Registration>();
  for (const r of registrations) {
    const known = parents.get(r.name);
    if (known === undefined || (known.custom !== false && r.custom === false))
      parents.set(r.name, r);
  }
  const parentOf = (r: Registration): Registration | undefined => {
    const parent = r.parent === undefined ? undefined : parents.get(r.parent);
    return parent === r ? undefined : parent;
  };
  const qualifiedType = (r: Registration, depth = 0): string => {
    const parent = parentOf(r);
    return parent === undefined || depth > 64
      ? r.type
      : `${qualifiedType(parent, depth + 1)}$${r.type}`;
  };
  const urnOf = (r: Registration) =>
    `urn:pulumi:${context.stack}::${context.project}::${qualifiedType(r)}::${r.name}`;
  const providers = new Map<string, ProviderView>();
  for (const r of registrations) {
    if (r.type.startsWith("pulumi:providers:")) {
      providers.set(r.name, {
        type: r.type,
        name: r.name,
        urn: urnOf(r),
        props: toViewProps(r.inputs),
      });
    }
  }
  const resources = registrations.map((r): ResourceView => {
    const provider = r.provider === undefined ? undefined : providers.get(r.provider);
    const parent = parentOf(r);
    return {
      type: r.type,
      name: r.name,
      urn: urnOf(r),
      props: toViewProps(r.inputs),
      protect: r.protect,
      ...(r.retainOnDelete !== undefined ? { retainOnDelete: r.retainOnDelete } : {}),
      ...(provider ? { provider } : {}),
      ...(parent ? { parent: urnOf(parent) } : {}),
    };
  });
  return { resources };
}
