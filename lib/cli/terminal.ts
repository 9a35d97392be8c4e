/**
 * What a command may do on the stream it writes to: colour only on a terminal and never when
 * `NO_COLOR` is set (https://no-color.org), a progress line only on a terminal and only for a
 * run that has lasted more than two seconds. Time and the stream are passed in, so both are
 * tested without a terminal or a clock.
 */
import { styleText } from "node:util";

/** The part of a writable stream the terminal helpers use. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Whether to colour text written to a stream: never with `NO_COLOR` set to anything but the
 * empty string, always with `FORCE_COLOR` set (other than `0`), else on a terminal only.
 */
export function colorEnabled(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** Styles of the few words commands colour. */
export type Tone = "error" | "warning" | "ok" | "added" | "removed" | "changed" | "dim";

const STYLES: Readonly<Record<Tone, Parameters<typeof styleText>[0]>> = {
  error: ["bold", "red"],
  warning: "yellow",
  ok: "green",
  added: "green",
  removed: "red",
  changed: "yellow",
  dim: "dim",
};

/** A painter: `paint("error", text)` colours text when colour is on, returns it as is when off. */
export function painter(enabled: boolean): (tone: Tone, text: string) => string {
  // colorEnabled has decided for the stream written to; Node 22+'s styleText would otherwise
  // decide again, for process.stdout, and drop the colour when stdout is not a terminal.
  return (tone, text) =>
    enabled ? styleText(STYLES[tone], text, { validateStream: false }) : text;
}

/** A progress line for long runs. */
export interface Progress {
  /** Sets what the run is doing now (`running the program: 1,204 resources`). */
  update(text: string): void;
  /** Clears the line; the run's own output follows. */
  stop(): void;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** Milliseconds before the first line is drawn. Default: 2000. */
  readonly delayMs?: number;
  /** Milliseconds between redraws. Default: 100. */
  readonly intervalMs?: number;
  /** The clock, in milliseconds. Default: `Date.now`. */
  readonly now?: () => number;
  /** Whether to start a timer that redraws between updates. Default: true. */
  readonly timer?: boolean;
}

/**
 * A progress line on `stream`, drawn in place (`\r`, erase to the end of the line) only when
 * the stream is a terminal and the run has lasted `delayMs`; elsewhere it draws nothing.
 */
export function startProgress(
  stream: OutputStream,
  label: string,
  options: ProgressOptions = {},
): Progress {
  if (stream.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 2000;
  const interval = options.intervalMs ?? 100;
  const started = now();
  let text = "starting";
  let drawn = false;
  let lastDraw = -Infinity;
  const draw = (force: boolean) => {
    const t = now();
    if (t - started < delay || (!force && t - lastDraw < interval)) return;
    const seconds = Math.floor((t - started) / 1000);
    stream.write(`\r\x1b[K${label}: ${text} (${seconds}s)`);
    drawn = true;
    lastDraw = t;
  };
  const timer =
    options.timer === false ? undefined : setInterval(() => draw(true), interval).unref();
  return {
    update(next) {
      text = next;
      draw(false);
    },
    stop() {
      if (timer) clearInterval(timer);
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
