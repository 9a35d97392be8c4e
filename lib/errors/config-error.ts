/**
 * The one error type tf-bootstrap throws at its users: the stack config is wrong. It lists every
 * problem at once so a single edit can fix them all.
 */

/** One thing wrong with the stack config. */
export interface ConfigProblem {
  /** Full config path, e.g. `tf-bootstrap:productAccounts[1].id`. */
  readonly path: string;
  /** The value found there (`undefined` when the key is missing). */
  readonly value: unknown;
  /** What is wrong, what is allowed and how to fix it. */
  readonly message: string;
  /** Where in the stack file, as `file:line:column`, when the problem was found in a file. */
  readonly location?: string;
  /** A syntax problem of the file (no value was read): the line names no value. */
  readonly syntax?: boolean;
}

/** Error code carried by every {@link ConfigError}. */
export const CONFIG_ERROR_CODE = "TFB_CONFIG_INVALID";

/** Thrown before any resource is registered when the stack config is invalid. */
export class ConfigError extends Error {
  /** Always {@link CONFIG_ERROR_CODE}. */
  readonly code = CONFIG_ERROR_CODE;

  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source = "the stack config",
  ) {
    super(formatProblems(problems, source));
    this.name = "ConfigError";
  }
}

/** Renders a value for a message: JSON, shortened, `(missing)` for undefined, `(empty)` for null. */
export function renderValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (value === null) return "(empty)";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One problem on one line: `file:line:column path = value: message`, without the value for a
 * syntax problem, without the position when it is not known.
 */
export function problemLine(p: ConfigProblem): string {
  const where = p.location ? `${p.location} ` : "";
  const value = p.syntax ? "" : ` = ${renderValue(p.value)}`;
  return `${where}${p.path}${value}: ${p.message}`;
}

/** The message of a {@link ConfigError}: a headline and one line per problem. */
export function formatProblems(problems: readonly ConfigProblem[], source: string): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${problemLine(p)}`);
  return [
    `[${CONFIG_ERROR_CODE}] ${source} has ${count}; no resource was registered. Fix every line below and run again:`,
    ...lines,
  ].join("\n");
}
