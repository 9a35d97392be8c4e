import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { partition } from "@aws-sdk/core/client";
import { checkStackFile } from "../../../lib/config/check";
import { closest } from "../../../lib/config/closest";
import { parseStackConfig } from "../../../lib/config/parse";
import { SUPPORTED_REGIONS, UNSUPPORTED_REGIONS, regionProblem } from "../../../lib/config/regions";
import { suggestService } from "../../../lib/config/service-aliases";
import { flatConfigFromStackFile } from "../../../lib/config/stack-file";
import { ConfigError, problemLine } from "../../../lib/errors/config-error";
import { catalogServices } from "../../../lib/iam/action-catalog";
import { ROOT } from "../../helpers/stack";

const FILE = "stacks/Pulumi.acme.yaml";
const EXAMPLE = readFileSync(join(ROOT, "stacks", "Pulumi.example.yaml"), "utf8");

/** The example stack file with `from` replaced by `to` (which must occur). */
function edited(from: string | RegExp, to: string): string {
  const text = EXAMPLE.replace(from, to);
  assert.notEqual(text, EXAMPLE, `no ${String(from)} in the example stack`);
  return text;
}

/** Every problem line of checking `text`; fails when the check passes. */
function problemLines(text: string): string[] {
  const result = checkStackFile(text, FILE);
  assert.equal(result.ok, false, "expected the stack file to be rejected");
  return result.ok ? [] : result.problems.map(problemLine);
}

/** What users saw from the validator before: its generic English, never ours. */
const VALIDATOR_TEXT = /Invalid input|expected \w+, received|Too (small|big)|Unrecognized key/;

const yamlCases: { name: string; text: string; line: RegExp }[] = [
  {
    name: "a tab that indents a line",
    text: edited("  tf-bootstrap:region: eu-west-1", "\ttf-bootstrap:region: eu-west-1"),
    line: /^stacks\/Pulumi\.acme\.yaml:9:1 tf-bootstrap:region: a tab indents this line, and YAML indents with spaces only\. Replace the tab with spaces\.$/,
  },
  {
    name: "a duplicate key",
    text: edited(
      "  tf-bootstrap:region: eu-west-1",
      "  tf-bootstrap:region: eu-west-1\n  tf-bootstrap:region: eu-west-2",
    ),
    line: /^stacks\/Pulumi\.acme\.yaml:10:3 tf-bootstrap:region: the key 'tf-bootstrap:region' appears twice in the same mapping.*Remove one of them/,
  },
  {
    name: "a key indented further than its siblings",
    text: edited(
      "  tf-bootstrap:region: eu-west-1",
      "  tf-bootstrap:region: eu-west-1\n   tf-bootstrap:partition: aws",
    ),
    line: /^stacks\/Pulumi\.acme\.yaml:9:\d+ tf-bootstrap:region: .*Correct the indentation or add the missing ': '\.$/,
  },
  {
    name: "a missing colon",
    text: edited("  tf-bootstrap:region: eu-west-1", "  tf-bootstrap:region eu-west-1"),
    line: /^stacks\/Pulumi\.acme\.yaml:9:3 tf-bootstrap:region: .*a ': ' is missing or a line is indented too far/,
  },
  {
    name: "an unclosed quote",
    text: edited('    id: "111111111111"', '    id: "111111111111'),
    line: /^stacks\/Pulumi\.acme\.yaml:\d+:\d+ .*a closing quote or bracket is missing/,
  },
  {
    name: "an alias bomb",
    text: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n${EXAMPLE.replace("    CostCenter: platform", "    CostCenter: *c")}`,
    line: /^stacks\/Pulumi\.acme\.yaml:2:\d+ .*expand to more values than a stack config can hold \(an alias bomb\)/,
  },
  {
    name: "an anchor whose value refers to itself",
    text: edited(
      /  tf-bootstrap:tags:\n {4}CostCenter: platform/,
      "  tf-bootstrap:tags: &t\n    CostCenter: *t",
    ),
    line: /^stacks\/Pulumi\.acme\.yaml:\d+:17 tf-bootstrap:tags\.CostCenter: this alias \(\*name\) is inside the value its anchor/,
  },
  {
    name: "an alias to an anchor not set",
    text: edited("    CostCenter: platform", "    CostCenter: *nowhere"),
    line: /^stacks\/Pulumi\.acme\.yaml:\d+:17 tf-bootstrap:tags\.CostCenter: this alias \(\*name\) refers to an anchor \(&name\) that is not set before it/,
  },
  {
    name: "two documents in one file",
    text: `${EXAMPLE}---\nconfig: {}\n`,
    line: /more than one YAML document.*remove the extra one/,
  },
  {
    name: "a list where the file needs a mapping",
    text: "- config\n",
    line: /^stacks\/Pulumi\.acme\.yaml:1:1 .*must be a mapping with a 'config:' key/,
  },
  {
    name: "config: holding a list",
    text: "config:\n  - tf-bootstrap:region\n",
    line: /^stacks\/Pulumi\.acme\.yaml:2:3 config: 'config:' must hold one 'tf-bootstrap:<setting>: value' line per setting/,
  },
];

describe("stack files: YAML problems", () => {
  for (const c of yamlCases) {
    it(`reports ${c.name} as one line with file:line:column and the fix`, () => {
      const lines = problemLines(c.text);
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(lines[0] ?? "", c.line);
    });
  }

  it("throws a ConfigError, never the parser's error, where a flat config map is asked for", () => {
    assert.throws(
      () => flatConfigFromStackFile("config:\n\tx: 1\n", FILE),
      (error: unknown) =>
        error instanceof ConfigError &&
        /stacks\/Pulumi\.acme\.yaml:2:1 .*a tab indents this line/.test(error.message),
    );
  });
});

const configCases: { name: string; text: string; lines: RegExp[] }[] = [
  {
    name: "a misspelt top-level key as one problem, without the follow-on noise of 40 apply-order entries",
    text: edited(
      /tf-bootstrap:productAccounts:\n(?: {4}.*\n)+/,
      `tf-bootstrap:productAcounts:\n${Array.from({ length: 40 }, (_, i) => `    - { name: a${i}, id: "${200000000000 + i}" }\n`).join("")}`,
    ).replace(
      "    createAccessKey: false",
      `    createAccessKey: false\n    pipeline:\n      applyOrder: [${Array.from({ length: 40 }, (_, i) => `a${i}`).join(", ")}]`,
    ),
    lines: [
      /^stacks\/Pulumi\.acme\.yaml:\d+:3 tf-bootstrap:productAcounts = .*: is not a known setting; did you mean 'productAccounts'\? 'productAccounts' is required and missing, so rename this key to 'productAccounts'\.$/,
    ],
  },
  {
    name: "a missing terraformAccount in the reader's terms",
    text: edited(/ {2}tf-bootstrap:terraformAccount:\n(?: {4}.*\n)+/, ""),
    lines: [
      /^tf-bootstrap:terraformAccount = \(missing\): is required: add `tf-bootstrap:terraformAccount: \{ id: "111111111111" \}` under config: in the stack file\. It must be a mapping with the Terraform account's id\.$/,
    ],
  },
  {
    name: "an empty value as missing, never as the string null",
    text: edited("  tf-bootstrap:region: eu-west-1", "  tf-bootstrap:region:"),
    lines: [
      /^stacks\/Pulumi\.acme\.yaml:9:3 tf-bootstrap:region = \(missing\): is empty \(nothing after the colon, which YAML reads as no value\), and it is required: add `tf-bootstrap:region: eu-west-1`/,
    ],
  },
  {
    name: "a key without the tf-bootstrap: prefix, on the setting it was meant for",
    text: edited("  tf-bootstrap:region: eu-west-1", "  region: eu-west-1"),
    lines: [
      /^stacks\/Pulumi\.acme\.yaml:9:3 tf-bootstrap:region = \(missing\): is required: .* The file has 'region', which the program never reads: rename it to 'tf-bootstrap:region'\.$/,
    ],
  },
  {
    name: "the dropped leading zero of an unquoted account id",
    text: edited('    id: "111111111111"', "    id: 011111111111"),
    lines: [
      /^stacks\/Pulumi\.acme\.yaml:\d+:5 tf-bootstrap:terraformAccount\.id = 11111111111: must be a 12-digit AWS account id .* YAML read the unquoted 011111111111 as the number 11111111111, dropping the leading zero; write it in quotes: "011111111111"$/,
    ],
  },
  {
    name: "elb with the service it stands for",
    text: edited("cloudwatch, dynamodb", "cloudwatch, elb, dynamodb"),
    lines: [/allowedServices\[1\] = "elb": .*did you mean 'elasticloadbalancing'\?/],
  },
  {
    name: "an unknown region with the closest one",
    text: edited("tf-bootstrap:region: eu-west-1", "tf-bootstrap:region: eu-west-9"),
    lines: [/tf-bootstrap:region = "eu-west-9": is not an AWS region; did you mean 'eu-west-1'\?/],
  },
  {
    name: "a region of an isolated partition under aws",
    text: edited("tf-bootstrap:region: eu-west-1", "tf-bootstrap:region: us-iso-east-1"),
    lines: [
      /tf-bootstrap:region = "us-iso-east-1": is a region of the 'aws-iso' partition, which tf-bootstrap does not support \(supported: aws, aws-us-gov, aws-cn\)/,
    ],
  },
  {
    name: "tags beyond AWS's limits, every one",
    text: edited(
      "    CostCenter: platform",
      `    "aws:owner": x\n    ManagedBy: me\n    Count: 1234\n    ${"k".repeat(129)}: x\n    Long: ${"v".repeat(257)}\n    "bad#key": x`,
    ),
    lines: [
      /tags\.aws:owner = "x": the key starts with 'aws:', which AWS reserves/,
      /tags\.ManagedBy = "me": the key is set by tf-bootstrap on every resource/,
      /tags\.Count = 1234: tag values must be strings; .*YAML read the unquoted 1234 as a number; write it in quotes: "1234"/,
      /tags\.k{129} = .*: the key is 129 characters long; AWS allows tag keys of at most 128/,
      /tags\.Long = .*: is 257 characters long; AWS allows tag values of at most 256/,
      /tags\.bad#key = "x": the key holds a character AWS does not allow/,
    ],
  },
  {
    name: "more tags than fit on a resource",
    text: edited(
      "    CostCenter: platform",
      Array.from({ length: 48 }, (_, i) => `    T${i}: v`).join("\n"),
    ),
    lines: [/tf-bootstrap:tags = \{"T0":"v".*: holds 48 tags; .* at most 47 are left/],
  },
  {
    name: "a mapping given where a list belongs, in words, not the validator's",
    text: edited(/tf-bootstrap:adminPrincipals:\n {4}- (.*)/, "tf-bootstrap:adminPrincipals: $1"),
    lines: [
      /adminPrincipals = "arn:aws:iam::111111111111:role\/PlatformAdmin": must be a list of IAM role or user ARNs, such as \[.*\], not a string; write a single item as a list: \[arn:aws:iam::111111111111:role\/PlatformAdmin\]$/,
    ],
  },
  {
    name: "a setting the CI mode does not use, once, even with a bad value",
    text: edited(
      "    mode: iam-user\n    userName: terraform-ci",
      "    mode: github-oidc\n    repository: acme/infra\n    userName: 'bad name'",
    ).replace("    createAccessKey: false\n", ""),
    lines: [/tf-bootstrap:ci\.userName = "bad name": applies to iam-user mode only/],
  },
];

describe("stack files: config problems", () => {
  for (const c of configCases) {
    it(`reports ${c.name}`, () => {
      const lines = problemLines(c.text);
      assert.equal(lines.length, c.lines.length, lines.join("\n"));
      c.lines.forEach((pattern, i) => assert.match(lines[i] ?? "", pattern));
      for (const line of lines) assert.doesNotMatch(line, VALIDATOR_TEXT);
    });
  }

  it("warns about a key of a misspelt namespace, and one left empty whose default applies", () => {
    const result = checkStackFile(
      edited(
        "  tf-bootstrap:state:\n",
        "  tf-boostrap:audit: {}\n  tf-bootstrap:partition:\n  tf-bootstrap:state:\n",
      ),
      FILE,
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.warnings.map(problemLine), [
      "stacks/Pulumi.acme.yaml:32:3 tf-boostrap:audit = {}: is in the namespace 'tf-boostrap', not 'tf-bootstrap', so the program never reads it. Rename it to 'tf-bootstrap:audit'.",
      "stacks/Pulumi.acme.yaml:33:3 tf-bootstrap:partition = (empty): is empty (nothing after the colon), so it is not set and its default applies. Give it a value or remove the line.",
    ]);
    assert.equal(result.config.partition, "aws");
  });

  it("accepts the example stacks without a warning", () => {
    for (const stack of ["example", "example-oidc"]) {
      const text = readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
      const result = checkStackFile(text, stack);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      assert.deepEqual(result.warnings, []);
    }
  });

  it("treats an empty value handed over by Pulumi as missing too", () => {
    const result = parseStackConfig({
      organization: "acme",
      region: null,
      terraformAccount: { id: null },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const byPath = new Map(result.problems.map((p) => [p.path, p.message]));
    assert.match(byPath.get("tf-bootstrap:region") ?? "", /^is empty .* and it is required/);
    assert.match(
      byPath.get("tf-bootstrap:terraformAccount.id") ?? "",
      /^is empty .* and it is required/,
    );
  });
});

describe("regions, services and spelling", () => {
  it("lists each region under the partition the AWS SDK's endpoint rules put it in", () => {
    for (const [name, regions] of Object.entries({
      ...SUPPORTED_REGIONS,
      ...UNSUPPORTED_REGIONS,
    })) {
      for (const region of regions) assert.equal(partition(region).name, name, region);
    }
  });

  const regionCases = [
    { region: "eu-west-1", partition: "aws", problem: undefined },
    { region: "cn-north-1", partition: "aws-cn", problem: undefined },
    { region: "us-gov-west-1", partition: "aws", problem: /belongs to the 'aws-us-gov' partition/ },
    { region: "eu-west-9", partition: "aws", problem: /did you mean 'eu-west-1'/ },
    {
      region: "us-iso-east-1",
      partition: "aws",
      problem: /'aws-iso' partition, which tf-bootstrap does not support/,
    },
    {
      region: "mars-1",
      partition: "aws",
      problem: /^is not an AWS region\. The regions of 'aws' are/,
    },
  ];
  for (const c of regionCases) {
    it(`${c.problem ? "refuses" : "accepts"} ${c.region} in ${c.partition}`, () => {
      const problem = regionProblem(c.region, c.partition);
      if (c.problem) assert.match(problem ?? "", c.problem);
      else assert.equal(problem, undefined);
    });
  }

  const serviceCases: [string, string | undefined][] = [
    ["elb", "elasticloadbalancing"],
    ["ALB", "elasticloadbalancing"],
    ["cloudwatch-logs", "logs"],
    ["step_functions", "states"],
    ["aws-eventbridge", "events"],
    ["dynamdb", "dynamodb"],
    ["xyz", undefined],
  ];
  for (const [name, expected] of serviceCases) {
    it(`suggests ${expected ?? "nothing"} for the service '${name}'`, () => {
      assert.equal(suggestService(name, catalogServices()), expected);
    });
  }

  it("suggests a close key, counts a swap of two letters as one edit, and offers no far-fetched one", () => {
    assert.equal(closest("regoin", ["region", "partition"]), "region");
    assert.equal(closest("elb", ["a4b", "ebs"]), undefined);
    assert.equal(closest("tags", ["tags", "state"]), "tags");
  });
});
