/**
 * Runs a command's entry point as a process: its exit code becomes the process's, and an error
 * it did not turn into a message is reported on one line (exit 2), never as a stack trace.
 */
import type { CommandIo } from "./synth/main";

/** Runs `command` with the process's arguments and streams. */
export function runAsMain(
  name: string,
  command: (argv: readonly string[], io: CommandIo) => Promise<number>,
): void {
  command(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(
        `${name}: could not run: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exitCode = 2;
    },
  );
}
