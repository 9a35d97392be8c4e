/**
 * fast-check generators for policy documents: normalized documents, their raw spellings, and
 * shuffles that keep their meaning.
 */
import * as fc from "fast-check";
import type { ConditionBlock, PolicyDocument, Principal, Statement } from "../../../lib/iam";

const text = fc.constantFrom(
  "sts:AssumeRole",
  "sts:TagSession",
  "s3:GetObject",
  "arn:aws:iam::111122223333:role/a",
  "arn:aws:iam::111122223333:root",
  "111122223333",
  "*",
  "ec2.amazonaws.com",
  "x",
  "",
);

const list = fc.array(text, { minLength: 1, maxLength: 4 });

const principal: fc.Arbitrary<Principal> = fc.oneof(
  fc.constant("*" as const),
  fc
    .record(
      {
        AWS: list,
        Service: list,
        Federated: list,
        CanonicalUser: list,
      },
      { requiredKeys: [] },
    )
    .filter((p) => Object.keys(p).length > 0),
);

const condition: fc.Arbitrary<ConditionBlock> = fc.dictionary(
  fc.constantFrom(
    "StringEquals",
    "StringLike",
    "ArnLike",
    "Null",
    "Bool",
    "ForAnyValue:StringLike",
  ),
  fc.dictionary(
    fc.constantFrom("aws:PrincipalArn", "sts:ExternalId", "x:sub", "aws:userid"),
    list,
    {
      minKeys: 1,
      maxKeys: 3,
    },
  ),
  { minKeys: 1, maxKeys: 3 },
);

/** A normalized statement. */
export const statementArb: fc.Arbitrary<Statement> = fc
  .record(
    {
      Sid: fc.constantFrom("A", "B", "Ci"),
      Effect: fc.constantFrom("Allow" as const, "Deny" as const),
      who: fc.option(fc.record({ negate: fc.boolean(), value: principal }), { nil: undefined }),
      what: fc.record({ negate: fc.boolean(), value: list }),
      where: fc.option(fc.record({ negate: fc.boolean(), value: list }), { nil: undefined }),
      Condition: condition,
    },
    { requiredKeys: ["Effect", "what"] },
  )
  .map(({ Sid, Effect, who, what, where, Condition }) => {
    const statement: Statement = { Effect };
    if (Sid !== undefined) statement.Sid = Sid;
    if (who !== undefined) statement[who.negate ? "NotPrincipal" : "Principal"] = who.value;
    statement[what.negate ? "NotAction" : "Action"] = what.value;
    if (where !== undefined) statement[where.negate ? "NotResource" : "Resource"] = where.value;
    if (Condition !== undefined) statement.Condition = Condition;
    return statement;
  });

/** A normalized document. */
export const documentArb: fc.Arbitrary<PolicyDocument> = fc
  .record(
    {
      Version: fc.constantFrom("2012-10-17", "2008-10-17"),
      Id: fc.constantFrom("policy-1", "x"),
      Statement: fc.array(statementArb, { minLength: 0, maxLength: 4 }),
    },
    { requiredKeys: ["Version", "Statement"] },
  )
  // Plain objects (fast-check records may have a null prototype).
  .map((d) => JSON.parse(JSON.stringify(d)) as PolicyDocument);

function rawList(values: readonly unknown[], single: boolean): unknown {
  return single && values.length === 1 ? values[0] : [...values];
}

/**
 * A raw spelling of `doc` that AWS accepts and that normalizes back to `doc`: one-element lists
 * as plain strings, a single statement as an object, condition values "true"/"false"/numbers as
 * JSON booleans and numbers.
 */
export function rawSpelling(doc: PolicyDocument, choices: readonly boolean[]): unknown {
  let i = 0;
  const pick = (): boolean => choices[i++ % Math.max(choices.length, 1)] ?? false;
  const statements = doc.Statement.map((s) => {
    const raw: Record<string, unknown> = { ...s };
    for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const) {
      const values = s[key];
      if (values !== undefined) raw[key] = rawList(values, pick());
    }
    for (const key of ["Principal", "NotPrincipal"] as const) {
      const p = s[key];
      if (p !== undefined && p !== "*") {
        raw[key] = Object.fromEntries(
          Object.entries(p).map(([type, values]) => [type, rawList(values as string[], pick())]),
        );
      }
    }
    if (s.Condition !== undefined) {
      raw["Condition"] = Object.fromEntries(
        Object.entries(s.Condition).map(([op, keys]) => [
          op,
          Object.fromEntries(
            Object.entries(keys).map(([key, values]) => [
              key,
              rawList(
                values.map((v) =>
                  v === "true" && pick() ? true : v === "false" && pick() ? false : v,
                ),
                pick(),
              ),
            ]),
          ),
        ]),
      );
    }
    return raw;
  });
  const first = statements[0];
  return {
    ...doc,
    Statement: statements.length === 1 && first !== undefined && pick() ? first : statements,
  };
}

/** `doc` with statements and every array shuffled by `seed` (the meaning is unchanged). */
export function shuffled(doc: PolicyDocument, seed: number): PolicyDocument {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      const a = copy[i];
      copy[i] = copy[j];
      copy[j] = a;
    }
    return copy;
  };
  const shufflePrincipal = (p: Principal): Principal =>
    p === "*"
      ? p
      : Object.fromEntries(
          shuffle(Object.entries(p)).map(([type, values]) => [type, shuffle(values as string[])]),
        );
  return {
    ...doc,
    Statement: shuffle(doc.Statement).map((s) => {
      const copy: Statement = { ...s };
      for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const) {
        const values = s[key];
        if (values !== undefined) copy[key] = shuffle(values);
      }
      if (s.Principal !== undefined) copy.Principal = shufflePrincipal(s.Principal);
      if (s.NotPrincipal !== undefined) copy.NotPrincipal = shufflePrincipal(s.NotPrincipal);
      if (s.Condition !== undefined) {
        copy.Condition = Object.fromEntries(
          shuffle(Object.entries(s.Condition)).map(([op, keys]) => [
            op,
            Object.fromEntries(shuffle(Object.entries(keys)).map(([k, v]) => [k, shuffle(v)])),
          ]),
        );
      }
      return copy;
    }),
  };
}
