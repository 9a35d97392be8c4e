/**
 * CrossGuard's arguments → the guard's view (`lib/guard/view.ts`).
 *
 * `@pulumi/policy` hands a policy each resource's properties wrapped in a proxy that throws an
 * `UnknownValueError` when a policy reads a value the engine left unknown at preview, and it
 * turns that error into an advisory "can't run policy during preview" note: the check silently
 * does not run. The adapter reads every property itself, catches that error per property and
 * puts an `UnknownValue` in the view instead, so the analysis sees exactly which value is
 * unknown and fails closed with a mandatory violation.
 */
import type {
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import {
  sentinelKind,
  toViewValue,
  unknownValue,
  type ProviderView,
  type ResourceView,
  type StackView,
  type UnknownValue,
  type ViewProps,
  type ViewValue,
} from "../lib/guard";

/** The shape of `@pulumi/policy`'s `UnknownValueError` (its class is not in the typings). */
interface UnknownValueErrorShape extends Error {
  readonly unknownTypeSentinel: string;
  readonly props: readonly (string | symbol)[];
}

/** Whether `error` is the `UnknownValueError` the property proxy throws. */
export function isUnknownValueError(error: unknown): error is UnknownValueErrorShape {
  return (
    error instanceof Error &&
    sentinelKind((error as Partial<UnknownValueErrorShape>).unknownTypeSentinel) !== undefined &&
    Array.isArray((error as Partial<UnknownValueErrorShape>).props)
  );
}

/** The view's unknown value for an `UnknownValueError`. */
export function unknownOf(error: UnknownValueErrorShape): UnknownValue {
  return unknownValue(sentinelKind(error.unknownTypeSentinel) ?? "object");
}

function member(container: object, key: string): ViewValue {
  let value: unknown;
  try {
    value = (container as Record<string, unknown>)[key];
  } catch (error) {
    if (isUnknownValueError(error)) return unknownOf(error);
    throw error;
  }
  return plain(value);
}

/** Reads a (possibly proxied) value into a plain view value, unknowns marked. */
export function plain(value: unknown): ViewValue {
  if (Array.isArray(value)) {
    const items: ViewValue[] = [];
    for (let i = 0; i < value.length; i += 1) items.push(member(value, String(i)));
    return items;
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, ViewValue> = {};
    for (const key of Object.keys(value)) {
      const item = member(value, key);
      if (item !== undefined) out[key] = item;
    }
    return out;
  }
  return value === undefined ? null : toViewValue(value);
}

/** Reads a proxied property bag. */
export function plainProps(props: Record<string, unknown>): ViewProps {
  const value = plain(props);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as ViewProps)
    : {};
}

function providerView(provider: PolicyProviderResource | undefined): ProviderView | undefined {
  if (provider === undefined) return undefined;
  return {
    type: provider.type,
    name: provider.name,
    urn: provider.urn,
    props: plainProps(provider.props as Record<string, unknown>),
  };
}

/** The view of one resource of a `validateResource` call. */
export function resourceView(args: ResourceValidationArgs): ResourceView {
  const provider = providerView(args.provider);
  return {
    type: args.type,
    name: args.name,
    urn: args.urn,
    props: plainProps(args.props as Record<string, unknown>),
    protect: args.opts.protect,
    ...(provider ? { provider } : {}),
    ...(args.opts.parent ? { parent: args.opts.parent } : {}),
  };
}

function stackResourceView(resource: PolicyResource): ResourceView {
  const provider = providerView(resource.provider);
  const dependencies: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(resource.propertyDependencies ?? {})) {
    dependencies[key] = list.map((r) => r.urn);
  }
  const parent = resource.parent?.urn ?? resource.opts.parent;
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: plainProps(resource.props as Record<string, unknown>),
    protect: resource.opts.protect,
    propertyDependencies: dependencies,
    ...(provider ? { provider } : {}),
    ...(parent ? { parent } : {}),
  };
}

/** The view of the stack of a `validateStack` call. */
export function stackView(args: StackValidationArgs): StackView {
  return { resources: args.resources.map(stackResourceView) };
}
