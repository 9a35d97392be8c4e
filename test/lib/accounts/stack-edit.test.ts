import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  appendAccount,
  removeAccount,
  rewriteApplyOrder,
  setAccountField,
  type EditResult,
} from "../../../lib/accounts/stack-edit";
import { ROOT } from "../../helpers/stack";

const ok = (result: EditResult): string => {
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.text;
};

/** The lines of `after` that are not in `before`, and the reverse: what an edit touched. */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail += 1;
  }
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

const accounts = (text: string) =>
  (parse(text) as { config: Record<string, unknown> }).config[
    "tf-bootstrap:productAccounts"
  ] as Record<string, string>[];

const BLOCK = `# header comment
config:
  tf-bootstrap:organization: acme   # spaced comment
  tf-bootstrap:productAccounts:
    # dev is the sandbox
    - name: dev
      id: "222222222222"   # the dev account
    # prod needs two reviewers
    - name: prod
      id: "444444444444"

  tf-bootstrap:ci:
    pipeline:
      applyOrder: [dev, [prod]]
`;

const FLOW = `config:
  tf-bootstrap:productAccounts:
    - { name: dev, id: "222222222222" } # dev
    - { name: prod, id: "444444444444", environment: production }
  tf-bootstrap:ci:
    pipeline:
      applyOrder:
        - dev
        - prod
`;

describe("stack file edits keep everything the user wrote", function () {
  it("appends a block entry after the last one, with its comment, and changes no other line", function () {
    const text = ok(appendAccount(BLOCK, { name: "qa", id: "012345678901" }, "OU Root/Workloads"));
    assert.deepEqual(changedLines(BLOCK, text), {
      removed: [],
      added: ["    - name: qa # OU Root/Workloads", '      id: "012345678901"'],
    });
    assert.deepEqual(accounts(text).at(-1), { name: "qa", id: "012345678901" });
  });

  it("appends a flow entry after flow entries", function () {
    const text = ok(appendAccount(FLOW, { name: "qa", id: "555555555555", workspace: "q-a" }));
    assert.deepEqual(changedLines(FLOW, text), {
      removed: [],
      added: ['    - { name: qa, id: "555555555555", workspace: q-a }'],
    });
  });

  it("quotes a value YAML would read as something else", function () {
    const text = ok(appendAccount(FLOW, { name: "qa", id: "555555555555", environment: "yes" }));
    assert.equal(accounts(text).at(-1)?.environment, "yes");
  });

  it("creates the list when the file has none", function () {
    const text = ok(
      appendAccount("config:\n  tf-bootstrap:region: eu-west-1\n", {
        name: "qa",
        id: "555555555555",
      }),
    );
    assert.deepEqual(accounts(text), [{ name: "qa", id: "555555555555" }]);
    assert.ok(text.startsWith("config:\n  tf-bootstrap:region: eu-west-1\n"));
  });

  it("removes an entry with the comment lines written above it, and nothing else", function () {
    const text = ok(removeAccount(BLOCK, "prod"));
    assert.deepEqual(changedLines(BLOCK, text), {
      removed: ["    # prod needs two reviewers", "    - name: prod", '      id: "444444444444"'],
      added: [],
    });
  });

  it("removes a flow entry", function () {
    const text = ok(removeAccount(FLOW, "dev"));
    assert.deepEqual(
      accounts(text).map((a) => a.name),
      ["prod"],
    );
    assert.ok(!text.includes("# dev"), "the entry's own comment goes with it");
  });

  it("replaces a field where it is written, keeping its comment", function () {
    const text = ok(setAccountField(BLOCK, "dev", "id", "999999999999"));
    assert.deepEqual(changedLines(BLOCK, text), {
      removed: ['      id: "222222222222"   # the dev account'],
      added: ['      id: "999999999999"   # the dev account'],
    });
  });

  it("adds a field after the entry's last one, in block and in flow style", function () {
    const block = ok(setAccountField(BLOCK, "dev", "workspace", "development"));
    assert.deepEqual(changedLines(BLOCK, block).added, ["      workspace: development"]);
    const flow = ok(setAccountField(FLOW, "dev", "workspace", "development"));
    assert.deepEqual(changedLines(FLOW, flow).added, [
      '    - { name: dev, id: "222222222222", workspace: development } # dev',
    ]);
  });

  it("rewrites the apply order in its own style, dropping a stage left empty", function () {
    const flow = ok(rewriteApplyOrder(BLOCK, (w) => (w === "prod" ? undefined : w)));
    assert.deepEqual(changedLines(BLOCK, flow), {
      removed: ["      applyOrder: [dev, [prod]]"],
      added: ["      applyOrder: [dev]"],
    });
    const block = ok(rewriteApplyOrder(FLOW, (w) => (w === "dev" ? "development" : w)));
    assert.deepEqual(changedLines(FLOW, block), {
      removed: ["        - dev"],
      added: ["        - development"],
    });
  });

  it("refuses, with the reason, what it cannot edit", function () {
    const cases: [string, EditResult][] = [
      ["no product account named 'qa'", removeAccount(BLOCK, "qa")],
      ["not valid YAML at line 2", removeAccount("config:\n\t- x", "dev")],
      ["no 'config:' mapping", appendAccount("other: 1\n", { name: "qa", id: "1" })],
    ];
    for (const [expected, result] of cases) {
      assert.ok(!result.ok && result.message.includes(expected), JSON.stringify(result));
    }
  });

  for (const stack of ["example", "example-oidc"]) {
    it(`adds and removes an account of stacks/Pulumi.${stack}.yaml back to the same bytes`, function () {
      const original = readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
      const added = ok(appendAccount(original, { name: "qa", id: "555555555555" }));
      assert.equal(ok(removeAccount(added, "qa")), original);
    });
  }
});
