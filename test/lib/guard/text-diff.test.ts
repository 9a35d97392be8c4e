import { strict as assert } from "node:assert";
import fc from "fast-check";
import { diffLines, renderDiff } from "../../../lib/guard/text-diff";

describe("guard: line diff", () => {
  it("marks removed and added lines with context", () => {
    const before = ["a", "b", "c", "d", "e", "f", "g"].join("\n");
    const after = ["a", "b", "c", "X", "e", "f", "g"].join("\n");
    assert.equal(renderDiff(before, after, 1), ["  c", "- d", "+ X", "  e"].join("\n"));
  });

  it("separates distant changes", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8"].join("\n");
    const after = ["0", "2", "3", "4", "5", "6", "7", "9"].join("\n");
    assert.equal(
      renderDiff(before, after, 1),
      ["- 1", "+ 0", "  2", "  ...", "  7", "- 8", "+ 9"].join("\n"),
    );
  });

  it("is empty for equal texts", () => assert.equal(renderDiff("a\nb", "a\nb"), ""));

  it("rebuilds both sides (property)", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 12 });
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const diff = diffLines(before, after);
        assert.deepEqual(
          diff.filter((l) => l.op !== "+").map((l) => l.text),
          before,
        );
        assert.deepEqual(
          diff.filter((l) => l.op !== "-").map((l) => l.text),
          after,
        );
      }),
    );
  });
});
