/**
 * The stack config the Pulumi engine sends the pack.
 *
 * Before the first analysis, the engine calls the analyzer's `ConfigureStack` with the stack's
 * name, tags and its whole config (decrypted), for every policy pack it runs
 * (`AnalyzerStackConfigureRequest.config`). `@pulumi/policy` 1.21 keeps only the tags. The pack
 * needs the config: it is where the stack's intent lives (which OIDC subjects each CI path is
 * meant to admit, who administers the backend, how long versions are kept; see
 * `lib/guard/intent.ts`), and reading it from the engine means a hand edit of the resources
 * cannot also move what they are judged against.
 *
 * {@link captureStackConfig} wraps the handler `@pulumi/policy` registers on its own gRPC server,
 * before the server starts, so the request is seen first by this module and then, unchanged, by
 * `@pulumi/policy`. The engine tests (`test/engine/`) prove it with the real Pulumi CLI.
 */
import { dirname } from "node:path";
import { intentFromFlatConfig, NO_INTENT, type IntentRead } from "../lib/guard/intent";

interface ConfigureStackRequest {
  getConfigMap(): { forEach(callback: (value: string, key: string) => void): void };
}
type Handler = (call: { request: ConfigureStackRequest }, callback: unknown) => unknown;
interface GrpcServer {
  addService: (this: GrpcServer, service: unknown, implementation: Record<string, unknown>) => void;
}

let current: IntentRead = NO_INTENT;

/** The intent of the stack config the engine sent, or why there is none yet. */
export function stackIntent(): IntentRead {
  return current;
}

/** Reads the flat config (`tf-bootstrap:key` → string) of a ConfigureStack request. */
export function configOfRequest(request: ConfigureStackRequest): Record<string, string> {
  const flat: Record<string, string> = {};
  request.getConfigMap().forEach((value, key) => {
    flat[key] = value;
  });
  return flat;
}

/** Forgets the stack config (as before the engine's first ConfigureStack). */
export function resetStackConfig(): void {
  current = NO_INTENT;
}

/** Records the intent of a ConfigureStack request. */
export function recordStackConfig(flat: Readonly<Record<string, string>>): void {
  current = intentFromFlatConfig(flat);
}

/**
 * Makes the analyzer server that `@pulumi/policy` starts pass every ConfigureStack request
 * through {@link recordStackConfig} first. Call once, before `new PolicyPack(...)`.
 */
export function captureStackConfig(): void {
  const policyDir = dirname(require.resolve("@pulumi/policy/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] })) as {
    Server: { prototype: GrpcServer };
  };
  const prototype = grpc.Server.prototype;
  const addService = prototype.addService;
  prototype.addService = function (service, implementation) {
    const handler = implementation.configureStack as Handler | undefined;
    const wrapped =
      typeof handler === "function"
        ? {
            ...implementation,
            configureStack: (call: { request: ConfigureStackRequest }, callback: unknown) => {
              try {
                recordStackConfig(configOfRequest(call.request));
              } catch {
                current = NO_INTENT;
              }
              return handler(call, callback);
            },
          }
        : implementation;
    addService.call(this, service, wrapped);
  };
}
