import { renderPipeline } from "../pipeline/render";
import { parseDeployedOutputs, type DeployedOutputs, type OutputProblem } from "./deployed-outputs";
import { HANDOFF_FILES, PIPELINE_DIRECTORY, type HandoffFile, type HandoffOptions } from "./files";
import { pipelinePlanFromOutputs, pipelineProblems } from "./pipeline-plan";
import { renderAccountsTf, renderAccountsTfvars } from "./render-accounts";
import { renderBackend } from "./render-backend";
import { renderProviders } from "./render-providers";
import { renderReadme } from "./render-readme";
import { renderSelectWorkspace } from "./render-select-workspace";

/**
 * Every file of the Terraform handoff for validated outputs, in a fixed order. One Terraform
 * root that keeps the backend's `key` gets the files at the top; with several roots each gets
 * its own set under `<root name>/`: the same files, with the root's state `key` in its backend
 * file and only the root's workspaces in its account map.
 */
export function renderHandoff(outputs: DeployedOutputs, options: HandoffOptions): HandoffFile[] {
  const { roots } = outputs.ci;
  const [only] = roots;
  if (roots.length === 1 && only !== undefined && only.stateKey === outputs.backend.key) {
    return renderRootHandoff(outputs, options);
  }
  return roots.flatMap((root) => {
    const scoped: DeployedOutputs = {
      ...outputs,
      backend: { ...outputs.backend, key: root.stateKey },
      workspaces: outputs.workspaces.filter((w) => root.workspaces.includes(w.workspace)),
    };
    return renderRootHandoff(scoped, options).map((file) => ({
      path: `${root.name}/${file.path}`,
      text: file.text,
    }));
  });
}

/** The handoff files of one root. */
function renderRootHandoff(outputs: DeployedOutputs, options: HandoffOptions): HandoffFile[] {
  return [
    { path: HANDOFF_FILES.backend, text: renderBackend(outputs, options) },
    { path: HANDOFF_FILES.tfvars, text: renderAccountsTfvars(outputs) },
    { path: HANDOFF_FILES.accounts, text: renderAccountsTf(outputs, options) },
    { path: HANDOFF_FILES.providers, text: renderProviders(outputs, options) },
    { path: HANDOFF_FILES.selectWorkspace, text: renderSelectWorkspace(options) },
    { path: HANDOFF_FILES.readme, text: renderReadme(outputs, options) },
  ];
}

/**
 * The CI pipeline templates for validated outputs (see `lib/pipeline`), paths relative to the
 * `ci/` directory. Outputs {@link pipelineProblems} finds fault with are refused (it throws).
 */
export function renderPipelineFiles(
  outputs: DeployedOutputs,
  options: HandoffOptions,
): HandoffFile[] {
  return renderPipeline(pipelinePlanFromOutputs(outputs, options.stack));
}

/** Outcome of {@link handoffFromStackOutputs}. */
export type HandoffResult =
  | {
      readonly ok: true;
      /** The Terraform files, relative to the Terraform root. */
      readonly files: HandoffFile[];
      /** The CI pipeline templates, relative to the `ci/` directory. */
      readonly pipelineFiles: HandoffFile[];
      readonly outputs: DeployedOutputs;
    }
  | { readonly ok: false; readonly problems: readonly OutputProblem[] };

/**
 * Validates stack outputs (what `pulumi stack output --json` printed, parsed) and renders the
 * handoff and the CI pipeline templates, or returns every problem with the outputs.
 */
export function handoffFromStackOutputs(raw: unknown, options: HandoffOptions): HandoffResult {
  const parsed = parseDeployedOutputs(raw);
  if (!parsed.ok) return parsed;
  const problems = pipelineProblems(parsed.outputs, options.stack);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    files: renderHandoff(parsed.outputs, options),
    pipelineFiles: renderPipelineFiles(parsed.outputs, options),
    outputs: parsed.outputs,
  };
}

/** Error code at the head of {@link formatOutputProblems}'s message. */
export const OUTPUTS_ERROR_CODE = "TFB_OUTPUTS_INVALID";

/** Renders a value for a message: JSON, shortened, `(missing)` for undefined. */
function shown(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The message for unusable outputs: which output is missing or wrong, with the value found,
 * and how to get the outputs of a deployed stack.
 */
export function formatOutputProblems(
  problems: readonly OutputProblem[],
  source: string,
  stack: string,
): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [
    `[${OUTPUTS_ERROR_CODE}] the stack outputs from ${source} cannot make the Terraform handoff (${count}); no file was written:`,
    ...problems.map((p) => `  - ${p.path} = ${shown(p.value)}: ${p.message}`),
    `The outputs must be those of a tf-bootstrap stack deployed with \`pulumi up\`, as printed by`,
    `  pulumi stack output --json --stack ${stack} > outputs.json`,
    `then: npm run export-terraform -- --stack ${stack} --outputs outputs.json  (or pipe them on stdin).`,
  ].join("\n");
}

/**
 * The handoff files of a synthesized stack, for `npm run synth`: the Terraform files under
 * `terraform/`, the CI pipeline templates under `ci/`. The outputs of the program are always
 * valid; when they are not, that is a bug and this throws.
 */
export function synthHandoffArtifacts(stack: string, outputs: unknown): HandoffFile[] {
  const result = handoffFromStackOutputs(outputs, { stack });
  if (!result.ok) {
    throw new Error(formatOutputProblems(result.problems, "the synthesized program", stack));
  }
  return [
    ...result.files.map((file) => ({ path: `terraform/${file.path}`, text: file.text })),
    ...result.pipelineFiles.map((file) => ({
      path: `${PIPELINE_DIRECTORY}/${file.path}`,
      text: file.text,
    })),
  ];
}
