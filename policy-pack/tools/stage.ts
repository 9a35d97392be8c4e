/**
 * Stages the pack for `pulumi policy publish` (run after `tsc -p policy-pack/tsconfig.build.json`,
 * which compiles the pack and the `lib/` it imports into out/policy-pack/). `pulumi policy
 * publish` uploads one directory, so the published pack must hold its copy of `lib/`: this adds
 * the package.json (its `main` pointing at the compiled pack) and PulumiPolicy.yaml next to the
 * compiled code, and refuses to stage a pack whose code needs a package its package.json does not
 * list. The staged directory is a build output, never edited or committed.
 */
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";

const pack = resolve(__dirname, "..");
const staged = resolve(pack, "..", "out", "policy-pack");
const main = "policy-pack/index.js";

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : jsFiles(path);
    return path.endsWith(".js") ? [path] : [];
  });
}

/** The npm packages the compiled code requires (`@scope/name` or `name`). */
function requiredPackages(dir: string): Set<string> {
  const packages = new Set<string>();
  for (const file of jsFiles(dir)) {
    for (const match of readFileSync(file, "utf8").matchAll(/require\("([^"./][^"]*)"\)/g)) {
      const id = match[1] ?? "";
      const parts = id.split("/");
      const name = id.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? id);
      if (!name.startsWith("node:") && !builtinModules.includes(name)) packages.add(name);
    }
  }
  return packages;
}

if (!existsSync(join(staged, main))) {
  console.error(
    `stage: ${join(staged, main)} is missing; run tsc -p policy-pack/tsconfig.build.json first`,
  );
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(pack, "package.json"), "utf8")) as {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
};
const missing = [...requiredPackages(staged)].filter((p) => !(p in (manifest.dependencies ?? {})));
if (missing.length > 0) {
  console.error(
    `stage: the pack's code requires ${missing.join(", ")}, which policy-pack/package.json does ` +
      `not list; add them to its dependencies (same versions as the root package.json).`,
  );
  process.exit(2);
}
const published: Record<string, unknown> = {
  ...manifest,
  main,
  files: ["policy-pack/", "lib/", "PulumiPolicy.yaml"],
};
delete published.private;
writeFileSync(join(staged, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
copyFileSync(join(pack, "PulumiPolicy.yaml"), join(staged, "PulumiPolicy.yaml"));
console.log(
  `stage: ${String(manifest.name)}@${String(manifest.version)} staged in ${staged}; publish with:\n` +
    `  cd ${staged} && npm install --omit=dev && pulumi policy publish <org>`,
);
