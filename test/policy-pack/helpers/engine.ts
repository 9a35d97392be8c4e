/**
 * Validation arguments built the way the Pulumi engine and `@pulumi/policy`'s server build them
 * (`server.js` makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): properties deserialized from the
 * engine's Struct (unknowns stay Pulumi's sentinel strings) and wrapped in
 * `unknownCheckingProxy`; the provider's *inputs* (JSON text for structured values); options;
 * parent and property dependencies as resource objects.
 *
 * The happy-path factory is the example stack synthesized on the mock runtime, shaped like the
 * engine's view at the **first preview** of a new organisation (every resource being created):
 * computed outputs (ids, ARNs, the role's managed and inline policy lists) are unknown, and so
 * is every input taken from another resource's output (the KMS key ARNs), with the property
 * dependency the engine records.
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { resetStackConfig, recordStackConfig } from "../../../policy-pack/stack-config";
import {
  synthesize,
  type RecordedResource,
  type SynthOptions,
} from "../../../scripts/synth/mock-runtime";
import { stackConfig } from "../../helpers/stack";

/**
 * The stack config of every stack the helpers built, by stack name: what the engine would send
 * the pack with ConfigureStack before analysing that stack.
 */
const stackConfigs = new Map<string, Record<string, string>>();

/** The stack name in a resource URN (`urn:pulumi:<stack>::...`). */
function stackOf(resources: readonly EngineResource[]): string | undefined {
  return /^urn:pulumi:([^:]+)::/.exec(resources[0]?.urn ?? "")?.[1];
}

/**
 * Plays the engine's ConfigureStack for `resources`: the pack learns the config of the stack
 * the resources belong to (`intent: "stack"`, the default), or gets none (`"none"`), or the
 * given flat config.
 */
export function configurePack(
  resources: readonly EngineResource[],
  intent: "stack" | "none" | Record<string, string> = "stack",
): void {
  const flat =
    intent === "none"
      ? undefined
      : intent === "stack"
        ? stackConfigs.get(stackOf(resources) ?? "")
        : intent;
  if (flat === undefined) resetStackConfig();
  else recordStackConfig(flat);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as Record<string, string>;

/** Pulumi's unknown sentinels, read from `@pulumi/policy` itself (what the engine sends). */
export const UNKNOWN = {
  string: proxyModule.unknownStringValue ?? "",
  boolean: proxyModule.unknownBooleanValue ?? "",
  number: proxyModule.unknownNumberValue ?? "",
  array: proxyModule.unknownArrayValue ?? "",
  object: proxyModule.unknownObjectValue ?? "",
} as const;

const PROJECT = "tf-bootstrap";

/** One resource as the engine holds it for analysis. */
export interface EngineResource {
  type: string;
  name: string;
  urn: string;
  /** Properties as the engine sends them (sentinel strings for unknowns). */
  props: Record<string, unknown>;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
  protect: boolean;
  parent?: string;
  propertyDependencies: Record<string, string[]>;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Computed outputs of a resource being created, unknown at preview, by type. */
const COMPUTED: Record<string, Record<string, string>> = {
  "aws:iam/role:Role": {
    arn: UNKNOWN.string,
    uniqueId: UNKNOWN.string,
    createDate: UNKNOWN.string,
    managedPolicyArns: UNKNOWN.array,
    inlinePolicies: UNKNOWN.array,
    tagsAll: UNKNOWN.object,
  },
  "aws:iam/user:User": { arn: UNKNOWN.string, uniqueId: UNKNOWN.string, tagsAll: UNKNOWN.object },
  "aws:kms/key:Key": { arn: UNKNOWN.string, keyId: UNKNOWN.string, tagsAll: UNKNOWN.object },
  "aws:kms/alias:Alias": { arn: UNKNOWN.string, targetKeyArn: UNKNOWN.string },
  "aws:s3/bucket:Bucket": {
    arn: UNKNOWN.string,
    bucketDomainName: UNKNOWN.string,
    versionings: UNKNOWN.array,
    serverSideEncryptionConfigurations: UNKNOWN.array,
    policy: UNKNOWN.string,
    tagsAll: UNKNOWN.object,
  },
  "aws:cloudtrail/trail:Trail": { arn: UNKNOWN.string, homeRegion: UNKNOWN.string },
  "aws:dynamodb/table:Table": { arn: UNKNOWN.string, streamArn: UNKNOWN.string },
};

/** Inputs the program takes from another resource's output: [type, path, dependency, source]. */
const FROM_OUTPUTS: [string, string[], string, (name: string) => string][] = [
  [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ["rules", "0", "applyServerSideEncryptionByDefault", "kmsMasterKeyId"],
    "rules",
    (name) => name.replace(/-bucket-encryption$/, "-key").replace(/-logs-encryption$/, "-key"),
  ],
  ["aws:cloudtrail/trail:Trail", ["kmsKeyId"], "kmsKeyId", (name) => `${name}-key`],
  ["aws:kms/alias:Alias", ["targetKeyId"], "targetKeyId", (name) => name.replace(/-alias$/, "")],
  [
    "aws:dynamodb/table:Table",
    ["serverSideEncryption", "kmsKeyArn"],
    "serverSideEncryption",
    (name) => name.replace(/-lock$/, "-key"),
  ],
];

function setPath(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): boolean {
  let current: unknown = target;
  for (const part of path.slice(0, -1)) {
    if (typeof current !== "object" || current === null) return false;
    current = (current as Record<string, unknown>)[part];
  }
  const last = path[path.length - 1];
  if (typeof current !== "object" || current === null || last === undefined) return false;
  if (!(last in current)) return false;
  (current as Record<string, unknown>)[last] = value;
  return true;
}

/** Engine resources from a synth recording; `firstPreview` applies the preview shape above. */
export function engineResources(
  recorded: readonly RecordedResource[],
  options: { stack?: string; firstPreview?: boolean } = {},
): EngineResource[] {
  const stack = options.stack ?? "example";
  const components = new Map(recorded.filter((r) => !r.custom).map((r) => [r.name, r]));
  const providers = new Map(
    recorded.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.name, r]),
  );
  const parentOf = (r: RecordedResource) => (r.parent ? components.get(r.parent) : undefined);
  const qualified = (r: RecordedResource): string => {
    const parent = parentOf(r);
    return parent ? `${qualified(parent)}$${r.type}` : r.type;
  };
  const urn = (r: RecordedResource) =>
    `urn:pulumi:${stack}::${PROJECT}::${qualified(r)}::${r.name}`;
  const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
  const out: EngineResource[] = recorded.map((r) => {
    const provider = r.provider ? providers.get(r.provider) : undefined;
    const parent = parentOf(r);
    const props = { ...clone(r.inputs) };
    if (options.firstPreview) Object.assign(props, COMPUTED[r.type] ?? {}, { id: UNKNOWN.string });
    return {
      type: r.type,
      name: r.name,
      urn: urn(r),
      props,
      protect: r.protect,
      parent: parent ? urn(parent) : stackUrn,
      propertyDependencies: {},
      ...(provider
        ? {
            provider: {
              type: provider.type,
              name: provider.name,
              urn: urn(provider),
              props: clone(provider.inputs),
            },
          }
        : {}),
    };
  });
  if (options.firstPreview) {
    for (const [type, path, dependency, source] of FROM_OUTPUTS) {
      for (const r of out.filter((x) => x.type === type)) {
        const from = out.find((x) => x.name === source(r.name));
        if (from && setPath(r.props, path, UNKNOWN.string)) {
          r.propertyDependencies[dependency] = [from.urn];
        }
      }
    }
  }
  return out;
}

const recordings = new Map<string, Promise<RecordedResource[]>>();

/**
 * The recorded resources of the stack `stacks/Pulumi.<stack>.yaml` (synthesized once per test
 * run and stack). Default: `example`.
 */
export function exampleRecording(stack = "example"): Promise<RecordedResource[]> {
  let recording = recordings.get(stack);
  if (recording === undefined) {
    stackConfigs.set(stack, stackConfig(stack));
    recording = synthesize(stackConfig(stack), { stack }).then((r) => r.resources);
    recordings.set(stack, recording);
  }
  return recording;
}

/**
 * The stack `stacks/Pulumi.<stack>.yaml` as the engine holds it at its first preview (the happy
 * path). Default: `example`.
 */
export async function exampleStack(stack = "example"): Promise<EngineResource[]> {
  return engineResources(await exampleRecording(stack), { stack, firstPreview: true });
}

/** The stack `stacks/Pulumi.<stack>.yaml` after it was deployed: every value known. */
export async function deployedExampleStack(stack = "example"): Promise<EngineResource[]> {
  return engineResources(await exampleRecording(stack), { stack });
}

/**
 * The program run on `config` (a flat stack config, see `test/helpers/stack.ts`) under the
 * stack name `stack`, as the engine holds it at its first preview. Synthesized on every call.
 */
export async function configuredStack(
  config: Record<string, string>,
  stack: string,
  stackOutputs?: SynthOptions["stackOutputs"],
): Promise<EngineResource[]> {
  stackConfigs.set(stack, config);
  const { resources } = await synthesize(config, {
    stack,
    ...(stackOutputs ? { stackOutputs } : {}),
  });
  return engineResources(resources, { stack, firstPreview: true });
}

function options(r: EngineResource) {
  return {
    protect: r.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

function providerOf(r: EngineResource) {
  if (!r.provider) return undefined;
  return {
    type: r.provider.type,
    name: r.provider.name,
    urn: r.provider.urn,
    props: unknownCheckingProxy(clone(r.provider.props)) as Record<string, unknown>,
  };
}

function notApplicable(reason?: string): never {
  throw new Error(`not applicable: ${reason ?? ""}`);
}

/** `StackValidationArgs` for `resources`, with `config` as the policy's config. */
export function stackArgs(
  resources: readonly EngineResource[],
  config: object = {},
): StackValidationArgs {
  const objects = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = unknownCheckingProxy(clone(r.props)) as Record<string, unknown>;
    const provider = providerOf(r);
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
      ...(provider ? { provider } : {}),
    };
    objects.set(r.urn, resource);
  }
  for (const r of resources) {
    const resource = objects.get(r.urn);
    if (!resource) continue;
    const parent = r.parent ? objects.get(r.parent) : undefined;
    if (parent) resource.parent = parent;
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      resource.propertyDependencies[key] = urns
        .map((u) => objects.get(u))
        .filter((x): x is PolicyResource => x !== undefined);
    }
  }
  return {
    resources: [...objects.values()],
    stackTags: new Map(),
    getConfig: <T extends object>() => clone(config) as T,
    notApplicable,
  };
}

/** `ResourceValidationArgs` for one resource (its inputs), with `config`. */
export function resourceArgs(r: EngineResource, config: object = {}): ResourceValidationArgs {
  const provider = providerOf(r);
  return {
    type: r.type,
    props: unknownCheckingProxy(clone(r.props)) as Record<string, unknown>,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => clone(config) as T,
    notApplicable,
    ...(provider ? { provider } : {}),
  };
}

/** A violation a policy reported. */
export interface Violation {
  readonly message: string;
  readonly urn?: string;
  /** The finding id the message starts with (`[Principal::*] ...`). */
  readonly id: string;
}

function collector(into: Violation[]): ReportViolation {
  return (message: string, urn?: string) => {
    into.push({ message, id: /^\[(.+?)\] /.exec(message)?.[1] ?? "", ...(urn ? { urn } : {}) });
  };
}

/**
 * Runs a stack policy's own validate function and collects what it reports, after playing the
 * engine's ConfigureStack ({@link configurePack}).
 */
export async function validateStack(
  policy: StackValidationPolicy,
  resources: readonly EngineResource[],
  config: object = {},
  intent: "stack" | "none" | Record<string, string> = "stack",
): Promise<Violation[]> {
  configurePack(resources, intent);
  const violations: Violation[] = [];
  await policy.validateStack(stackArgs(resources, config), collector(violations));
  return violations;
}

/** Runs a resource policy's own validate function(s) on every resource. */
export async function validateResources(
  policy: ResourceValidationPolicy,
  resources: readonly EngineResource[],
  config: object = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : policy.validateResource
      ? [policy.validateResource]
      : [];
  for (const r of resources) {
    for (const validate of validations) {
      await validate(resourceArgs(r, config), collector(violations));
    }
  }
  return violations;
}

/** Whether `r` is the resource (not the component of the same name) called `name`. */
function isNamed(r: EngineResource, name: string): boolean {
  return r.name === name && !r.type.startsWith("tf-bootstrap:");
}

/** A copy of `resources` with the resource named `name` changed by `change` (on a copy). */
export function changed(
  resources: readonly EngineResource[],
  name: string,
  change: (r: EngineResource) => void,
): EngineResource[] {
  let found = false;
  const out = resources.map((r) => {
    if (!isNamed(r, name)) return r;
    found = true;
    const copy = clone(r);
    change(copy);
    return copy;
  });
  if (!found) throw new Error(`no resource named ${name}`);
  return out;
}

/** A copy of `resources` without the resource named `name`. */
export function without(resources: readonly EngineResource[], name: string): EngineResource[] {
  if (!resources.some((r) => isNamed(r, name))) throw new Error(`no resource named ${name}`);
  return resources.filter((r) => !isNamed(r, name));
}

/** The resource (not a component) named `name`. */
export function named(resources: readonly EngineResource[], name: string): EngineResource {
  const found = resources.find((r) => isNamed(r, name));
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
}

/** A new resource modelled on `like` (same provider and parent), with `props`. */
export function sibling(
  like: EngineResource,
  type: string,
  name: string,
  props: Record<string, unknown>,
): EngineResource {
  const urn = like.urn.replace(/::[^:]+$/, `::${name}`).replace(like.type, type);
  return {
    ...clone(like),
    type,
    name,
    urn,
    props: clone(props),
    protect: false,
    propertyDependencies: {},
  };
}

/** Parses a resource's JSON-text property. */
export function jsonProp<T>(r: EngineResource, key: string): T {
  return JSON.parse(String(r.props[key])) as T;
}

/** A policy document as the tests edit it. */
export interface Doc {
  Version: string;
  Statement: Record<string, unknown>[];
}

/** Edits the policy document held as JSON text in `r.props[key]`, in place. */
export function editDocument(r: EngineResource, key: string, edit: (doc: Doc) => void): void {
  const doc = jsonProp<Doc>(r, key);
  edit(doc);
  r.props[key] = JSON.stringify(doc);
}

/** Merges `statement` into the first statement of the document in `r.props[key]`. */
export function setStatement(
  r: EngineResource,
  key: string,
  statement: Record<string, unknown>,
): void {
  editDocument(r, key, (doc) => {
    doc.Statement[0] = { ...doc.Statement[0], ...statement };
  });
}
