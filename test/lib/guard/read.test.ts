import { strict as assert } from "node:assert";
import {
  firstUnknown,
  readAt,
  readBoolean,
  readString,
  readStringList,
  toViewProps,
  UNKNOWN_SENTINELS,
  unknownValue,
  type Read,
  type ViewProps,
} from "../../../lib/guard";

const U = UNKNOWN_SENTINELS;

describe("guard: reading the view", () => {
  const props: ViewProps = toViewProps({
    name: "terraform",
    flag: "true",
    ids: '["222222222222"]',
    single: "222222222222",
    list: ["a", U.string],
    nested: { inner: U.object },
    unknownList: U.array,
    nothing: undefined,
  });

  it("turns Pulumi's sentinels into unknown values and drops undefined members", () => {
    assert.deepEqual(props.list, ["a", unknownValue("string")]);
    assert.deepEqual(props.unknownList, unknownValue("array"));
    assert.ok(!("nothing" in props));
  });

  const cases: { name: string; read: () => Read<unknown>; expected: Read<unknown> }[] = [
    {
      name: "a string",
      read: () => readString(props, ["name"]),
      expected: { kind: "value", value: "terraform" },
    },
    {
      name: "an absent key",
      read: () => readString(props, ["missing"]),
      expected: { kind: "absent" },
    },
    {
      name: "a boolean given as text",
      read: () => readBoolean(props, ["flag"]),
      expected: { kind: "value", value: true },
    },
    {
      name: "a wrong type",
      read: () => readBoolean(props, ["name"]),
      expected: { kind: "invalid", path: "name", expected: "true or false" },
    },
    {
      name: "a JSON list in a string (provider inputs)",
      read: () => readStringList(props, ["ids"]),
      expected: { kind: "value", value: ["222222222222"] },
    },
    {
      name: "a single string as a list",
      read: () => readStringList(props, ["single"]),
      expected: { kind: "value", value: ["222222222222"] },
    },
    {
      name: "a list with an unknown item",
      read: () => readStringList(props, ["list"]),
      expected: { kind: "unknown", path: "list[1]" },
    },
    {
      name: "a path through an unknown object",
      read: () => readAt(props, ["nested", "inner", "deeper", 0]),
      expected: { kind: "unknown", path: "nested.inner" },
    },
    {
      name: "an unknown list",
      read: () => readStringList(props, ["unknownList"]),
      expected: { kind: "unknown", path: "unknownList" },
    },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => assert.deepEqual(c.read(), c.expected));
  }

  it("finds the first unknown inside a value", () => {
    assert.equal(firstUnknown(props.nested ?? null, ["nested"]), "nested.inner");
    assert.equal(firstUnknown("x", ["name"]), undefined);
  });
});
