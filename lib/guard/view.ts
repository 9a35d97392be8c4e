/**
 * The guard's view of a stack: a plain, engine-independent description of every resource that
 * the policy pack (from CrossGuard's arguments), the offline synth (from the mock runtime's
 * recording) and an audit (from live state) all build, and that every analysis in `lib/guard`
 * reads. Unknown values are {@link UnknownValue}s, never sentinel strings.
 */
import { isUnknown, sentinelKind, unknownValue, type UnknownValue } from "./unknown";

/** A property value: JSON, with unknown values marked. */
export type ViewValue =
  | null
  | boolean
  | number
  | string
  | UnknownValue
  | readonly ViewValue[]
  | { readonly [key: string]: ViewValue };

/** A resource's properties. */
export type ViewProps = { readonly [key: string]: ViewValue };

/** The provider a resource is registered with. */
export interface ProviderView {
  /** Provider type, e.g. `pulumi:providers:aws`. */
  readonly type: string;
  /** Provider resource name; default providers are named `default` or `default_<version>`. */
  readonly name: string;
  readonly urn: string;
  /** The provider's inputs. Structured inputs may be JSON text (Pulumi encodes them so). */
  readonly props: ViewProps;
}

/** One resource of the stack. */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** Inputs (per-resource checks, synth) or outputs (stack checks at preview and update). */
  readonly props: ViewProps;
  readonly provider?: ProviderView;
  /**
   * The account the resource is in, for sources that know it without a provider (an audit of
   * live state). Absent in CrossGuard's and the synth's views: there the account is read from
   * the provider, as the engine pins it.
   */
  readonly accountId?: string;
  /** URN of the parent resource, when there is one. */
  readonly parent?: string;
  /** The `protect` resource option. */
  readonly protect: boolean;
  /**
   * The `retainOnDelete` resource option, or `undefined` where the source cannot see it: Pulumi's
   * analyzer protocol does not carry it, so CrossGuard policies never know it.
   */
  readonly retainOnDelete?: boolean;
  /**
   * For each top-level property, the URNs of the resources its value was computed from, where
   * the source records them (CrossGuard stack policies do).
   */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** Every resource of a stack. */
export interface StackView {
  readonly resources: readonly ResourceView[];
}

/**
 * Converts a plain JavaScript value (parsed JSON, recorded inputs) into a {@link ViewValue}:
 * Pulumi's unknown sentinels become {@link UnknownValue}s, `undefined` object members are
 * dropped, a bigint becomes its digits, and functions and symbols become "".
 */
export function toViewValue(value: unknown): ViewValue {
  if (value === null || typeof value === "boolean" || typeof value === "number") {
    return value;
  }
  if (typeof value === "string") {
    const kind = sentinelKind(value);
    return kind === undefined ? value : unknownValue(kind);
  }
  if (isUnknown(value)) {
    return unknownValue(value.$unknown);
  }
  if (Array.isArray(value)) {
    return value.map((item) => toViewValue(item));
  }
  if (typeof value === "object") {
    return toViewProps(value as Record<string, unknown>);
  }
  if (typeof value === "bigint") {
    return value.toString();
  }
  return "";
}

/** Converts a plain properties object with {@link toViewValue}. */
export function toViewProps(props: Readonly<Record<string, unknown>>): ViewProps {
  const out: Record<string, ViewValue> = {};
  for (const [key, item] of Object.entries(props)) {
    if (item !== undefined) {
      out[key] = toViewValue(item);
    }
  }
  return out;
}

/** A short reference to a resource, for findings. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
}

/** The {@link ResourceRef} of a resource. */
export function refOf(resource: ResourceView): ResourceRef {
  return { type: resource.type, name: resource.name, urn: resource.urn };
}
