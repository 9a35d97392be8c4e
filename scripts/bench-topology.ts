/**
 * `npm run bench:topology`: how long synth's topology picture takes (groups, both matrices by
 * evaluation, the Graphviz layout, the page) for 40 and 1,000 product accounts in three
 * environments, and how large its files are. Prints figures; asserts nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodePulumiConfig, loadStackConfig } from "../lib/config/parse";
import { flatConfigFromStackFile } from "../lib/config/stack-file";
import { planTopology } from "../lib/plan/topology";
import { topologyFiles } from "../lib/report/topology-files";
import { renderSvg } from "./report/render-svg";

const base = flatConfigFromStackFile(
  readFileSync(join(__dirname, "..", "stacks", "Pulumi.example.yaml"), "utf8"),
);
for (const n of [40, 1000]) {
  const accounts = Array.from({ length: n }, (_, i) => ({
    name: `acct-${i}`,
    id: String(200000000000 + i),
    environment: ["dev", "staging", "production"][i % 3],
  }));
  const flat = { ...base, "tf-bootstrap:productAccounts": JSON.stringify(accounts) };
  const plan = planTopology(loadStackConfig(decodePulumiConfig(flat)));
  const started = process.hrtime.bigint();
  const files = topologyFiles("bench", plan, renderSvg);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const sizes = files.map((f) => `${f.path} ${(f.text.length / 1024).toFixed(0)} KiB`).join(", ");
  console.log(`${n} product accounts: topology picture in ${ms.toFixed(0)} ms (${sizes})`);
}
