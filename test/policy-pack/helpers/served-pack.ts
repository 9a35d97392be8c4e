/**
 * The pack served the way `pulumi preview --policy-pack policy-pack` serves it: the Pulumi
 * language host runs `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory (ts-node,
 * type-checked, with the pack's tsconfig.json), the pack prints its gRPC port, and the engine
 * calls the Analyzer service with protobuf requests. Here the test plays the engine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { ROOT } from "../../helpers/stack";
import type { EngineResource } from "./engine";

/* eslint-disable @typescript-eslint/no-require-imports */
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string): unknown => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js") as {
  credentials: { createInsecure(): unknown };
};
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
  AnalyzerClient: new (address: string, credentials: unknown) => Client;
};
const messages = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, new () => Message>;
const structs = fromPulumi("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: object): unknown };
};
const empties = fromPulumi("google-protobuf/google/protobuf/empty_pb") as {
  Empty: new () => unknown;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** A protobuf message, loosely typed (the generated classes have setters and getters). */
type Message = any;
type Callback = (error: Error | null, response: Message) => void;
interface Client {
  getAnalyzerInfo(request: unknown, callback: Callback): void;
  analyzeStack(request: unknown, callback: Callback): void;
  analyze(request: unknown, callback: Callback): void;
  configure(request: unknown, callback: Callback): void;
  configureStack(request: unknown, callback: Callback): void;
  close(): void;
}

/** A diagnostic the pack returned, as the engine receives it. */
export interface Diagnostic {
  readonly policyName: string;
  readonly message: string;
  readonly urn: string;
  /** 0 advisory, 1 mandatory (pulumirpc.EnforcementLevel). */
  readonly enforcementLevel: number;
}

/** A policy as GetAnalyzerInfo describes it. */
export interface PolicyInfo {
  readonly name: string;
  readonly enforcementLevel: number;
  readonly description: string;
  readonly configProperties: Record<string, unknown>;
}

/** The pulumirpc.EnforcementLevel values. */
export const LEVEL = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 } as const;

function call(client: Client, method: keyof Client, request: unknown): Promise<Message> {
  return new Promise((resolve, reject) => {
    (client[method] as (r: unknown, cb: Callback) => void).call(
      client,
      request,
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  });
}

function newMessage(name: string): Message {
  const Type = messages[name];
  if (!Type) throw new Error(`no message ${name}`);
  return new Type();
}

function resourceMessage(r: EngineResource, kind: "AnalyzerResource" | "AnalyzeRequest"): unknown {
  const message = newMessage(kind);
  message.setUrn(r.urn);
  message.setType(r.type);
  message.setName(r.name);
  message.setProperties(structs.Struct.fromJavaScript(r.props));
  const options = newMessage("AnalyzerResourceOptions");
  options.setProtect(r.protect);
  if (r.parent) options.setParent(r.parent);
  message.setOptions(options);
  if (r.provider) {
    const provider = newMessage("AnalyzerProviderResource");
    provider.setUrn(r.provider.urn);
    provider.setType(r.provider.type);
    provider.setName(r.provider.name);
    provider.setProperties(structs.Struct.fromJavaScript(r.provider.props));
    message.setProvider(provider);
  }
  if (kind === "AnalyzerResource") {
    if (r.parent) message.setParent(r.parent);
    const deps = message.getPropertydependenciesMap();
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      const list = newMessage("AnalyzerPropertyDependencies");
      list.setUrnsList(urns);
      deps.set(key, list);
    }
  }
  return message;
}

function diagnostics(response: Message): Diagnostic[] {
  return (response.getDiagnosticsList() as Message[]).map((d) => ({
    policyName: d.getPolicyname() as string,
    message: d.getMessage() as string,
    urn: d.getUrn() as string,
    enforcementLevel: d.getEnforcementlevel() as number,
  }));
}

/** A running pack and an Analyzer client connected to it. */
export class ServedPack {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Client,
  ) {}

  /** Starts the pack from `policy-pack/` and connects to it. */
  static async start(timeoutMs = 45000): Promise<ServedPack> {
    const child = spawn(
      process.execPath,
      [
        join(pulumiDir, "cmd", "run-policy-pack"),
        "--pwd",
        join(ROOT, "policy-pack"),
        "127.0.0.1:0",
        ".",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the pack did not start: ${stderr}`)),
        timeoutMs,
      );
      child.stdout?.once("data", (d: Buffer) => {
        clearTimeout(timer);
        resolve(d.toString().trim());
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the pack exited with ${code}: ${stderr}`));
      });
    });
    const client = new services.AnalyzerClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new ServedPack(child, client);
  }

  /** GetAnalyzerInfo: the pack's name and policies. */
  async info(): Promise<{ name: string; policies: PolicyInfo[] }> {
    const response = await call(this.client, "getAnalyzerInfo", new empties.Empty());
    const policies = (response.getPoliciesList() as Message[]).map((p) => ({
      name: p.getName() as string,
      enforcementLevel: p.getEnforcementlevel() as number,
      description: p.getDescription() as string,
      configProperties:
        (p.getConfigschema()?.getProperties()?.toJavaScript() as Record<string, unknown>) ?? {},
    }));
    return { name: response.getName() as string, policies };
  }

  /** Configure: the policy pack config (`--policy-pack-config`), by policy name. */
  async configure(
    config: Record<string, { level: keyof typeof LEVEL; properties?: object }>,
  ): Promise<void> {
    const request = newMessage("ConfigureAnalyzerRequest");
    const map = request.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(config)) {
      const policyConfig = newMessage("PolicyConfig");
      policyConfig.setEnforcementlevel(LEVEL[entry.level]);
      policyConfig.setProperties(structs.Struct.fromJavaScript(entry.properties ?? {}));
      map.set(name, policyConfig);
    }
    await call(this.client, "configure", request);
  }

  /**
   * ConfigureStack, as the engine calls it before the first analysis: the stack's name and its
   * whole config (`tf-bootstrap:key` → string), from which the pack learns the stack's intent.
   */
  async configureStack(stack: string, config: Readonly<Record<string, string>>): Promise<void> {
    const request = newMessage("AnalyzerStackConfigureRequest");
    request.setStack(stack);
    request.setProject("tf-bootstrap");
    request.setOrganization("organization");
    request.setDryRun(true);
    const map = request.getConfigMap();
    for (const [key, value] of Object.entries(config)) map.set(key, value);
    await call(this.client, "configureStack", request);
  }

  /** AnalyzeStack over `resources` (their outputs). */
  async analyzeStack(resources: readonly EngineResource[]): Promise<Diagnostic[]> {
    const request = newMessage("AnalyzeStackRequest");
    request.setResourcesList(resources.map((r) => resourceMessage(r, "AnalyzerResource")));
    return diagnostics(await call(this.client, "analyzeStack", request));
  }

  /** Analyze one resource (its inputs). */
  async analyze(resource: EngineResource): Promise<Diagnostic[]> {
    return diagnostics(
      await call(this.client, "analyze", resourceMessage(resource, "AnalyzeRequest")),
    );
  }

  /** Disconnects and stops the pack. */
  stop(): void {
    this.client.close();
    this.child.kill();
  }
}
