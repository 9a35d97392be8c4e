/**
 * A command's options, declared once: parsed with Node's own `util.parseArgs` (the conventional
 * forms `--stack x`, `--stack=x`, `-s x`, a positional operand, `--help`, `--version`) and
 * rendered as the command's usage text. Pure, so every command's flags are tested without
 * running it, and any command of the project can adopt it.
 */
import { parseArgs } from "node:util";
import { closest } from "../config/closest";

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes: `stack` for `--stack`. */
  readonly name: string;
  /** One-letter alias: `s` for `-s`. */
  readonly short?: string;
  /** A flag (`boolean`) or an option that takes a value (`string`). */
  readonly type: "string" | "boolean";
  /** Placeholder of the value in the usage text: `NAME`. */
  readonly value?: string;
  /** What it does, with its default; one line. */
  readonly description: string;
}

/** A command: its name, what it does, its options and the operand it takes. */
export interface CommandSpec {
  /** How it is run: `npm run synth --`. */
  readonly invocation: string;
  /** Paragraphs after the usage line. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /**
   * The option a lone positional operand sets (`stack`: `synth acme` is `synth --stack acme`).
   * Without it, the command takes no operand.
   */
  readonly operand?: string;
  /** The closing paragraph: exit codes. */
  readonly exitCodes: string;
}

/** Options every command has. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: "help", short: "h", type: "boolean", description: "print this help and exit" },
  { name: "version", short: "v", type: "boolean", description: "print the version and exit" },
];

/** Parsed option values by long name. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** The outcome of parsing a command line. */
export type CommandLine =
  | { readonly kind: "run"; readonly values: OptionValues }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "error"; readonly message: string };

function allOptions(spec: CommandSpec): OptionSpec[] {
  return [...spec.options, ...COMMON_OPTIONS];
}

function flagName(arg: string): string {
  return arg.replace(/=.*$/, "");
}

/** Turns `util.parseArgs`' error into a message in the command's terms. */
function parseError(spec: CommandSpec, error: unknown, argv: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const text = error instanceof Error ? error.message : String(error);
  const options = allOptions(spec);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const arg =
      argv.find((a) => a.startsWith("-") && text.includes(`'${flagName(a)}'`)) ??
      /'([^']+)'/.exec(text)?.[1] ??
      "?";
    const name = flagName(arg).replace(/^-+/, "");
    const hint = closest(
      name,
      options.map((o) => o.name),
    );
    return `unknown option '${flagName(arg)}'${hint ? `; did you mean '--${hint}'?` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = options.find(
      (o) => text.includes(`--${o.name}`) || (o.short && text.includes(`-${o.short}`)),
    );
    if (option?.type === "string")
      return `--${option.name} needs a value: --${option.name} ${option.value ?? "VALUE"}`;
    if (option) return `--${option.name} takes no value`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return spec.operand
      ? `one ${spec.operand} only: unexpected '${/'([^']+)'/.exec(text)?.[1] ?? "?"}'`
      : `unexpected argument '${/'([^']+)'/.exec(text)?.[1] ?? "?"}'`;
  }
  return text.split("\n")[0] ?? text;
}

/** Parses `argv` (the arguments after the script) against `spec`. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const options = Object.fromEntries(
    allOptions(spec).map((o) => [o.name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    return { kind: "error", message: parseError(spec, error, argv) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help" };
  if (values.version === true) return { kind: "version" };
  for (const option of spec.options) {
    const value = values[option.name];
    if (option.type === "string" && value === "") {
      return { kind: "error", message: `--${option.name} needs a value, not an empty string` };
    }
    if (
      option.type === "string" &&
      typeof value === "string" &&
      value.startsWith("-") &&
      value !== "-"
    ) {
      return {
        kind: "error",
        message: `--${option.name} needs a value, not the option '${value}': --${option.name} ${option.value ?? "VALUE"}`,
      };
    }
  }
  if (positionals.length > 0) {
    if (!spec.operand) return { kind: "error", message: `unexpected argument '${positionals[0]}'` };
    if (positionals.length > 1) {
      return {
        kind: "error",
        message: `one ${spec.operand} only; got ${positionals.map((p) => `'${p}'`).join(", ")}`,
      };
    }
    const given = values[spec.operand];
    if (given !== undefined && given !== positionals[0]) {
      return {
        kind: "error",
        message: `the ${spec.operand} is given twice: '${String(given)}' (--${spec.operand}) and '${positionals[0]}'; give it once`,
      };
    }
    return { kind: "run", values: { ...values, [spec.operand]: positionals[0] } };
  }
  return { kind: "run", values };
}

/** The usage text: usage line, description, one line per option, exit codes. */
export function formatUsage(spec: CommandSpec): string {
  const options = allOptions(spec);
  const label = (o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
  const width = Math.max(...options.map((o) => label(o).length)) + 2;
  const operand = spec.operand ? ` [${spec.operand.toUpperCase()}]` : "";
  return [
    `usage: ${spec.invocation}${operand} [options]`,
    "",
    spec.description,
    "",
    "options:",
    ...options.map((o) => `  ${label(o).padEnd(width)}${o.description}`),
    "",
    spec.exitCodes,
  ].join("\n");
}
