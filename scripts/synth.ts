import { runAsMain } from "./command-main";
import { runSynth } from "./synth/main";

// `npm run synth -- --help` says what it does; the command lives in scripts/synth/main.ts.
runAsMain("synth", runSynth);
