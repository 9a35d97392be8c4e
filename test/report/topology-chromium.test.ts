/**
 * The topology picture as a reviewer sees it: synth's topology.html for a 40-account stack,
 * rendered by headless Chromium. The test looks at the rendered page, not at pixels: the
 * graph's size, the labels a reviewer needs (every text inside the drawing), the two tables,
 * and that the page loads nothing from anywhere.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthArtifacts } from "../../scripts/synth/artifacts";
import { synthesize } from "../../scripts/synth/mock-runtime";
import { stackConfig, withValue } from "../helpers/stack";

/** Debian's chromium (.ci/run installs it), or the browser named by TF_BOOTSTRAP_CHROMIUM. */
function chromium(): string {
  const named = process.env.TF_BOOTSTRAP_CHROMIUM;
  if (named !== undefined) return named;
  for (const candidate of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = spawnSync("sh", ["-c", `command -v ${candidate}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  assert.fail(
    "headless Chromium is not installed: `apt-get install chromium` (.ci/run does), or set TF_BOOTSTRAP_CHROMIUM",
  );
}

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** Measures the page in the browser and writes the result into the DOM for --dump-dom. */
const MEASURE = `<script>
(() => {
  const svg = document.querySelector(".graph svg");
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll("text")].map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, w: r.width, h: r.height,
      inside: r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1 };
  });
  const tables = [...document.querySelectorAll("table")].map((t) => t.rows.length);
  const resources = performance.getEntriesByType("resource").map((e) => e.name);
  const pre = document.createElement("pre");
  pre.id = "tfb-measure";
  pre.textContent = JSON.stringify({ width: box.width, height: box.height, texts, tables, resources,
    clusters: svg.querySelectorAll("g.cluster").length, edges: svg.querySelectorAll("g.edge").length });
  document.body.appendChild(pre);
})();
</script>`;

interface Measure {
  width: number;
  height: number;
  texts: { text: string; w: number; h: number; inside: boolean }[];
  tables: number[];
  resources: string[];
  clusters: number;
  edges: number;
}

describe("the topology picture, rendered in headless Chromium", function () {
  this.timeout(120_000);
  let dir: string;
  let html: string;
  let measure: Measure;

  before(async function () {
    const browser = chromium();
    dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-picture-"));
    const accounts = Array.from({ length: 40 }, (_, i) => ({
      name: `acct-${String(i).padStart(2, "0")}`,
      id: String(200000000000 + i),
      environment: i < 10 ? "dev" : i < 25 ? "staging" : "production",
    }));
    const flat = withValue(
      withValue(stackConfig("example-oidc"), "productAccounts", accounts),
      "ci",
      { mode: "github-oidc", repository: "acme/infrastructure" },
    );
    const result = await synthesize(flat, { stack: "large" });
    const files = synthArtifacts("large", result);
    html = files.find((f) => f.path === "topology.html")?.text ?? "";
    assert.ok(html.includes("<svg"), "synth wrote topology.html with the graph");
    assert.ok(files.some((f) => f.path === "topology.svg" && f.text.includes("</svg>")));
    const page = path.join(dir, "measure.html");
    writeFileSync(page, html.replace("</body>", `${MEASURE}</body>`));
    const dom = execFileSync(
      browser,
      [
        ...FLAGS,
        "--window-size=1600,1200",
        "--virtual-time-budget=5000",
        "--dump-dom",
        `file://${page}`,
      ],
      { encoding: "utf8", timeout: 90_000, stdio: ["ignore", "pipe", "ignore"] },
    );
    const json = /<pre id="tfb-measure">([^<]*)<\/pre>/.exec(dom)?.[1];
    assert.ok(json, `the page did not render:\n${dom.slice(0, 500)}`);
    measure = JSON.parse(
      json
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">"),
    ) as Measure;
  });

  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("groups 40 identical accounts into one box per environment: 3 group boxes, not 40", function () {
    // CI system, Terraform account, and one cluster per group.
    assert.equal(measure.clusters, 2 + 3);
    const labels = measure.texts.map((t) => t.text);
    for (const label of [
      "environment dev: 10 accounts, identical roles",
      "environment staging: 15 accounts, identical roles",
      "environment production: 15 accounts, identical roles",
      "and 9 more (see the tables)",
    ]) {
      assert.ok(labels.includes(label), `missing label '${label}' in ${JSON.stringify(labels)}`);
    }
  });

  it("shows who may assume what, state, the admins and the deployer, every label drawn inside the picture", function () {
    const labels = measure.texts.map((t) => t.text);
    for (const label of [
      "Terraform account 111111111111",
      "CI system",
      "CI apply roles",
      "CI plan role",
      "Terraform state",
      "admin (break-glass)",
      "arn:aws:iam::111111111111:role/PlatformAdmin",
      "deployer (pulumi up)",
      "anyone else",
      "sub: repo:acme/infrastructure:pull_request",
      "sub: repo:acme/infrastructure:environment:production",
    ]) {
      assert.ok(labels.includes(label), `missing label '${label}'`);
    }
    assert.equal(
      labels.filter((l) => l === "sts:AssumeRole").length,
      6,
      "each CI role to its path's role in 3 groups",
    );
    assert.ok(
      labels.some((l) => l.startsWith("denied: read state")),
      "the refused access is drawn",
    );
    for (const t of measure.texts) {
      assert.ok(
        t.w > 0 && t.h > 0 && t.inside,
        `label '${t.text}' is not drawn inside the picture`,
      );
    }
  });

  it("has a size a screen shows: at most the window wide, a few screens tall", function () {
    assert.ok(measure.width > 600 && measure.width <= 1600, `width ${measure.width}`);
    assert.ok(measure.height > 300 && measure.height < 4000, `height ${measure.height}`);
  });

  it("has both tables: who may assume what (one row per caller), state access (one row per identity)", function () {
    const [assume, state] = measure.tables;
    // Callers: 3 apply subjects + 2 plan subjects (pull requests, the protected branch) + 3 CI
    // apply roles (one per environment) + the CI plan role + admin, deployer, anyone else,
    // product role.
    assert.equal(assume, 1 + 13);
    // Identities: 3 CI apply roles, the CI plan role, the admin, the deployer, anyone else, a
    // product role.
    assert.equal(state, 1 + 8);
    assert.ok(html.includes("acct-39"), "every account is listed in the tables");
  });

  it("is self-contained: no script and no request for anything", function () {
    assert.deepEqual(measure.resources, []);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/)/);
  });

  it("renders to a picture (a screenshot a reviewer would see)", function () {
    const shot = path.join(dir, "topology.png");
    const page = path.join(dir, "topology.html");
    writeFileSync(page, html);
    execFileSync(
      chromium(),
      [...FLAGS, "--window-size=1600,1200", `--screenshot=${shot}`, `file://${page}`],
      {
        timeout: 90_000,
        stdio: "ignore",
      },
    );
    assert.ok(existsSync(shot));
    const png = readFileSync(shot);
    assert.equal(png.readUInt32BE(16), 1600);
    assert.equal(png.readUInt32BE(20), 1200);
    assert.ok(png.length > 50_000, `a ${png.length}-byte screenshot is a blank page`);
  });
});
