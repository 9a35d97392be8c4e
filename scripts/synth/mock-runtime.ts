import * as pulumi from "@pulumi/pulumi";
import { createStack, readStackConfig, type ProgramOutputs } from "../../components/stack";
import type { TopologyPlan } from "../../lib/plan/model";
import { planTopology } from "../../lib/plan/topology";
import { mockState } from "./mock-ids";

/** The project name the mock runtime registers resources under. */
export const PROJECT = "tf-bootstrap";

/** The organisation the mock runtime runs the stack in (the file backend's name for it). */
export const ORGANIZATION = "organization";

/** One resource the program registered, with its inputs and options. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Name of the parent resource (component), when there is one. */
  readonly parent?: string;
  /** Account key (`terraform` or a product account name), from the resource's provider. */
  readonly account?: string;
  readonly accountId?: string;
  /** Name of the explicit provider the resource was registered with. */
  readonly provider?: string;
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn: readonly string[];
}

/** What a program run on the mock runtime produced. */
export interface SynthResult {
  readonly resources: RecordedResource[];
  /** Stack outputs, resolved; secret values are replaced by `[secret]`. */
  readonly outputs: Record<string, unknown>;
  /** The flat stack config the program ran with (what the engine also sends the pack). */
  readonly config: Readonly<Record<string, string>>;
  /** The topology the program planned from the config (the documents it registered). */
  readonly plan?: TopologyPlan;
}

/** Options of {@link synthesize}. */
export interface SynthOptions {
  /** Stack name the resources are registered under. Default: example. */
  readonly stack?: string;
  /** Called for every resource the moment it is registered. */
  readonly observe?: (type: string, name: string) => void;
  /**
   * The outputs of the other stacks a StackReference may read, by stack name (as the config
   * gives it, or `organization/project/stack`). A reference to any other stack fails, as it
   * does on the engine.
   */
  readonly stackOutputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The outputs a StackReference to `name` reads, from {@link SynthOptions.stackOutputs}. */
function referencedOutputs(
  name: unknown,
  stacks: SynthOptions["stackOutputs"],
): Readonly<Record<string, unknown>> {
  const full = String(name);
  const found = stacks?.[full] ?? stacks?.[full.slice(full.lastIndexOf("/") + 1)];
  if (found === undefined) {
    throw new Error(
      `the program references stack '${full}', which this run does not know (give its outputs ` +
        `in SynthOptions.stackOutputs, or synth the core stack first)`,
    );
  }
  return found;
}

interface ResourceOptionsSeen {
  parent?: string;
  protect: boolean;
  retainOnDelete: boolean;
  dependsOn: string[];
}

function nameOf(resource: unknown): string | undefined {
  return (resource as { __name?: string } | undefined)?.__name;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function resolveOutputs(outputs: ProgramOutputs): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const out = pulumi.output(value);
    const secret = await pulumi.isSecret(out);
    resolved[key] = secret ? "[secret]" : await new Promise((res) => out.apply((v) => res(v)));
  }
  return resolved;
}

/**
 * Runs the program (the same path `index.ts` takes: read config, validate, build) on Pulumi's
 * mock runtime with `flatConfig` as the stack's config. Records every resource with its inputs,
 * the account it lands in and its options. Needs no credentials and no Pulumi CLI. Throws the
 * program's ConfigError, before any resource is registered, when the config is invalid.
 */
export async function synthesize(
  flatConfig: Readonly<Record<string, string>>,
  options: SynthOptions = {},
): Promise<SynthResult> {
  const stack = options.stack ?? "example";
  return withCheapStackTraces(() => run(flatConfig, options, stack));
}

/**
 * Runs `fn` with cheap stack traces. The Pulumi SDK records a stack trace on every promise it
 * creates and every resource it registers; under ts-node each one went through source-map
 * translation, which at 1,000 accounts was most of the synth's time (see docs/scaling.md).
 * During the run an error's stack is its message alone; set TFB_SYNTH_STACKS=1 to keep full
 * stacks when debugging the program.
 */
async function withCheapStackTraces<T>(fn: () => Promise<T>): Promise<T> {
  if (process.env.TFB_SYNTH_STACKS === "1") return fn();
  // Saved to be put back as it was, never called here.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.prepareStackTrace = (error) => String(error);
  Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function run(
  flatConfig: Readonly<Record<string, string>>,
  options: SynthOptions,
  stack: string,
): Promise<SynthResult> {
  const registered: {
    type: string;
    name: string;
    custom: boolean;
    provider?: string;
    inputs: Record<string, unknown>;
  }[] = [];
  const seenOptions = new Map<string, ResourceOptionsSeen>();
  let plan: TopologyPlan | undefined;
  const accountOfProvider = new Map<string, string>();
  const region = flatConfig[`${PROJECT}:region`] ?? "us-east-1";
  const partition = flatConfig[`${PROJECT}:partition`] ?? "aws";

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // A StackReference's state holds what it read: the engine shows the pack its outputs.
        const inputs =
          args.type === "pulumi:pulumi:StackReference"
            ? {
                ...(args.inputs as Record<string, unknown>),
                outputs: referencedOutputs(
                  (args.inputs as Record<string, unknown>).name,
                  options.stackOutputs,
                ),
                secretOutputNames: [],
              }
            : (args.inputs as Record<string, unknown>);
        options.observe?.(args.type, args.name);
        const providerName = args.provider ? args.provider.split("::")[3] : undefined;
        registered.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? false,
          ...(providerName ? { provider: providerName } : {}),
          inputs,
        });
        if (args.type === "pulumi:providers:aws") {
          const ids = parseJson(inputs.allowedAccountIds);
          if (Array.isArray(ids) && typeof ids[0] === "string")
            accountOfProvider.set(args.name, ids[0]);
        }
        if (args.type === "pulumi:pulumi:StackReference") {
          return { id: String(inputs.name), state: inputs };
        }
        const accountId = (providerName && accountOfProvider.get(providerName)) || "000000000000";
        const mocked = mockState(args.type, args.name, inputs, {
          accountId,
          region,
          partition,
        });
        return { id: mocked.id, state: { ...inputs, ...mocked.state } };
      },
      call: (args) => {
        throw new Error(
          `the program made an unexpected call to '${args.token}'; every value must come from config`,
        );
      },
    },
    PROJECT,
    stack,
    false,
    ORGANIZATION,
  );
  pulumi.runtime.setAllConfig({ ...flatConfig });

  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const dependsOn = Array.isArray(args.opts.dependsOn) ? args.opts.dependsOn : [];
      seenOptions.set(`${args.type}::${args.name}`, {
        ...(nameOf(args.opts.parent) ? { parent: nameOf(args.opts.parent) } : {}),
        protect: args.opts.protect === true,
        retainOnDelete: (args.opts as pulumi.CustomResourceOptions).retainOnDelete === true,
        dependsOn: dependsOn.map((d) => nameOf(d) ?? "?"),
      });
      return undefined;
    });
    const config = readStackConfig();
    plan = planTopology(config);
    const result = createStack(config);
    return resolveOutputs(result);
  });
  await pulumi.runtime.disconnect();

  const resources = registered
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r): RecordedResource => {
      const seen = seenOptions.get(`${r.type}::${r.name}`);
      const accountId =
        r.type === "pulumi:providers:aws"
          ? accountOfProvider.get(r.name)
          : r.provider && accountOfProvider.get(r.provider);
      const providerKey = r.type === "pulumi:providers:aws" ? r.name : r.provider;
      return {
        type: r.type,
        name: r.name,
        custom: r.custom,
        ...(seen?.parent ? { parent: seen.parent } : {}),
        ...(accountId && providerKey
          ? { account: providerKey.replace(/^aws-/, ""), accountId }
          : {}),
        ...(r.provider ? { provider: r.provider } : {}),
        inputs: r.inputs,
        protect: seen?.protect ?? false,
        retainOnDelete: seen?.retainOnDelete ?? false,
        dependsOn: seen?.dependsOn ?? [],
      };
    });
  return {
    resources,
    outputs: outputs ?? {},
    config: { ...flatConfig },
    ...(plan !== undefined ? { plan } : {}),
  };
}
