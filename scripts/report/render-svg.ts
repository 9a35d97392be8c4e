/**
 * Renders a Graphviz graph (DOT) to SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`).
 * The WebAssembly module only loads asynchronously, while the synth's artifacts are made
 * synchronously; so the rendering runs in a worker thread and this thread waits for it
 * (`Atomics.wait`), then takes the answer off the message port.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";

/** How long a rendering may take. */
export const RENDER_TIMEOUT_MS = 60_000;

const WORKER = `
const { workerData } = require("node:worker_threads");
const { port, signal, vizPath, dot } = workerData;
const done = (message) => {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};
require(vizPath)
  .instance()
  .then((viz) => {
    const result = viz.render(dot, { format: "svg", engine: "dot" });
    if (result.status === "success") done({ ok: true, svg: result.output });
    else done({ ok: false, message: result.errors.map((e) => e.message).join("; ") });
  })
  .catch((error) => done({ ok: false, message: String((error && error.message) || error) }));
`;

type Answer = { ok: true; svg: string } | { ok: false; message: string };

function isAnswer(value: unknown): value is Answer {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.ok === true ? typeof v.svg === "string" : typeof v.message === "string";
}

/** The SVG of `dot`, or throws with Graphviz's own error messages. */
export function renderSvg(dot: string): string {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { port: port2, signal, vizPath: require.resolve("@viz-js/viz"), dot },
    transferList: [port2],
  });
  try {
    const waited = Atomics.wait(signal, 0, 0, RENDER_TIMEOUT_MS);
    const answer: unknown = receiveMessageOnPort(port1)?.message;
    if (waited === "timed-out" || !isAnswer(answer)) {
      throw new Error(`Graphviz did not render the topology within ${RENDER_TIMEOUT_MS} ms`);
    }
    if (!answer.ok) throw new Error(`Graphviz could not render the topology: ${answer.message}`);
    return answer.svg;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
