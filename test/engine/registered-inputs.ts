/**
 * Compares what the real engine registered (`pulumi stack export`) with what the offline synth
 * records (`out/<stack>/resources.json`): the same resources, each with the same inputs,
 * parent, provider, `protect` and `retainOnDelete`, and at least the synth's explicit
 * dependencies. Generic: nothing here knows how many resources the program registers.
 *
 * Values one resource takes from another's computed outputs (a KMS key's id in its alias, the
 * key's ARN in the trail) differ by construction: the stand-in draws new ids, the synth derives
 * them from names (`scripts/synth/mock-ids.ts`). Such a value is compared as "the output K of
 * resource R" on both sides, never as text.
 */
import { mockState } from "../../scripts/synth/mock-ids";
import { nameOfUrn } from "./events";
import type { StateResource, SynthRecord } from "./engine-stack";

/** Inputs the engine itself adds to a resource, by type pattern, with why. */
const ENGINE_ADDED_INPUTS: readonly { type: RegExp; key: string; why: string }[] = [
  {
    type: /^pulumi:providers:/,
    key: "version",
    why: "the engine records the plugin version a provider resource was registered with",
  },
  {
    type: /^pulumi:providers:/,
    key: "__internal",
    why: "the engine's own record of where a provider's plugin comes from",
  },
];

const keyOf = (type: string, name: string) => `${type}::${name}`;

/** Where the synth's mocked ids live: the account of the resource's provider, and region. */
function mockContext(record: SynthRecord, region: string, partition: string) {
  return { accountId: record.accountId ?? "000000000000", region, partition };
}

/** Replaces every occurrence of the mapped values in strings, deeply. */
function substitute(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    let out = value;
    for (const [from, to] of map) if (out.includes(from)) out = out.split(from).join(to);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, map));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substitute(v, map)]),
    );
  }
  return value;
}

/** Sorted-key JSON, so two values compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

/** Options of {@link compareRegistrations}. */
export interface CompareOptions {
  readonly region: string;
  readonly partition: string;
  /** The `@pulumi/aws` version the engine records on provider resources. */
  readonly awsVersion: string;
}

/**
 * Every difference between the engine's state and the synth's records, one line each; empty
 * when they agree.
 */
export function compareRegistrations(
  state: readonly StateResource[],
  synth: readonly SynthRecord[],
  opts: CompareOptions,
): string[] {
  const problems: string[] = [];
  const engine = new Map<string, StateResource>();
  for (const r of state) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    engine.set(keyOf(r.type, nameOfUrn(r.urn)), r);
  }
  const offline = new Map(synth.map((r) => [keyOf(r.type, r.name), r]));

  for (const key of offline.keys()) {
    if (!engine.has(key)) problems.push(`${key}: in resources.json, not registered by the engine`);
  }
  for (const key of engine.keys()) {
    if (!offline.has(key)) problems.push(`${key}: registered by the engine, not in resources.json`);
  }

  // Computed outputs that differ between the two runs, mapped to one placeholder each.
  const engineValues = new Map<string, string>();
  const synthValues = new Map<string, string>();
  for (const key of [...offline.keys()].sort()) {
    const record = offline.get(key);
    const resource = engine.get(key);
    if (!record || !resource || !record.custom) continue;
    const mocked = mockState(
      record.type,
      record.name,
      record.inputs,
      mockContext(record, opts.region, opts.partition),
    );
    const pairs: [string, unknown, unknown][] = [["id", resource.id, mocked.id]];
    for (const [k, v] of Object.entries(mocked.state)) {
      if (!(k in (resource.inputs ?? {}))) pairs.push([k, resource.outputs?.[k], v]);
    }
    // An id or output equal to one of the resource's own inputs (a role's name) is config, not
    // a drawn value; short values could match inside unrelated text.
    const ownInputs = new Set(
      Object.values(resource.inputs ?? {}).filter((v) => typeof v === "string"),
    );
    for (const [k, fromEngine, fromSynth] of pairs) {
      if (typeof fromEngine !== "string" || typeof fromSynth !== "string") continue;
      if (fromEngine === fromSynth || ownInputs.has(fromEngine)) continue;
      if (fromEngine.length < 16 || fromSynth.length < 16) continue;
      const placeholder = `<${key}.${k}>`;
      if (!engineValues.has(fromEngine)) engineValues.set(fromEngine, placeholder);
      if (!synthValues.has(fromSynth)) synthValues.set(fromSynth, placeholder);
    }
  }

  for (const [key, record] of [...offline.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const resource = engine.get(key);
    if (!resource) continue;
    const inputs: Record<string, unknown> = { ...(resource.inputs ?? {}) };
    for (const added of ENGINE_ADDED_INPUTS) {
      if (added.type.test(resource.type) && added.key in inputs && !(added.key in record.inputs)) {
        if (added.key === "version" && inputs.version !== opts.awsVersion) {
          problems.push(
            `${key}: provider version ${String(inputs.version)}, expected ${opts.awsVersion}`,
          );
        }
        delete inputs[added.key];
      }
    }
    const fromEngine = substitute(inputs, engineValues) as Record<string, unknown>;
    const fromSynth = substitute(record.inputs, synthValues) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(fromEngine), ...Object.keys(fromSynth)])) {
      const a = canonical(fromEngine[k]);
      const b = canonical(fromSynth[k]);
      if (a !== b)
        problems.push(`${key}: input ${k}: engine ${a ?? "(absent)"}, synth ${b ?? "(absent)"}`);
    }

    const parent =
      resource.parent && !resource.parent.includes("::pulumi:pulumi:Stack::")
        ? nameOfUrn(resource.parent)
        : undefined;
    if (parent !== record.parent) {
      problems.push(`${key}: parent ${String(parent)}, synth ${String(record.parent)}`);
    }
    // A provider reference is `<provider URN>::<provider id>`.
    const provider = resource.provider
      ? nameOfUrn(resource.provider.slice(0, resource.provider.lastIndexOf("::")))
      : undefined;
    if (provider !== record.provider) {
      problems.push(`${key}: provider ${String(provider)}, synth ${String(record.provider)}`);
    }
    if ((resource.protect ?? false) !== record.protect) {
      problems.push(`${key}: protect ${String(resource.protect)}, synth ${String(record.protect)}`);
    }
    if ((resource.retainOnDelete ?? false) !== record.retainOnDelete) {
      problems.push(
        `${key}: retainOnDelete ${String(resource.retainOnDelete)}, synth ${String(record.retainOnDelete)}`,
      );
    }
    const dependencies = new Set((resource.dependencies ?? []).map(nameOfUrn));
    for (const dependsOn of record.dependsOn) {
      if (!dependencies.has(dependsOn)) {
        problems.push(`${key}: depends on ${dependsOn} in the program, not in the engine's state`);
      }
    }
  }
  return problems;
}
