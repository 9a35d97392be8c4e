import { strict as assert } from "node:assert";
import { mapWithConcurrency } from "../../lib/audit/pool";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapWithConcurrency", function () {
  for (const limit of [1, 3, 10]) {
    it(`keeps input order and never runs more than ${limit} at once`, async function () {
      let running = 0;
      let peak = 0;
      const items = Array.from({ length: 8 }, (_, i) => i);
      const out = await mapWithConcurrency(items, limit, async (item) => {
        running += 1;
        peak = Math.max(peak, running);
        await tick(item % 2 === 0 ? 5 : 1);
        running -= 1;
        return item * 10;
      });
      assert.deepEqual(
        out,
        items.map((i) => i * 10),
      );
      assert.equal(peak, Math.min(limit, items.length));
    });
  }

  it("handles an empty list", async function () {
    assert.deepEqual(await mapWithConcurrency([], 4, () => Promise.resolve(1)), []);
  });

  it("rejects with the first failure", async function () {
    await assert.rejects(
      mapWithConcurrency([1, 2, 3], 2, async (i) => {
        await tick(1);
        if (i === 2) throw new Error("boom");
        return i;
      }),
      /boom/,
    );
  });

  it("refuses a limit below 1", async function () {
    await assert.rejects(
      mapWithConcurrency([1], 0, () => Promise.resolve(1)),
      /positive integer/,
    );
  });
});
