import { runSynth } from "./synth/main";

// `npm run synth -- --help` says what it does; the command lives in scripts/synth/main.ts.
runSynth(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `synth: could not run: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 2;
  },
);
