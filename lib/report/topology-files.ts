/**
 * The picture of a planned topology as synth writes it: `topology.dot` (the graph),
 * `topology.svg` (laid out by Graphviz) and `topology.html` (the graph with the matrices it
 * comes from). Pure but for `render`, which turns DOT into SVG.
 */
import type { TopologyPlan } from "../plan/model";
import { assumeMatrix, productGroups, stateAccessMatrix } from "./access";
import { topologyDot } from "./topology-dot";
import { topologyHtml } from "./topology-html";

/** A file: path relative to the synth's output directory, and its text. */
export interface TopologyFile {
  readonly path: string;
  readonly text: string;
}

/** The topology's files; `render` lays a DOT graph out as SVG. */
export function topologyFiles(
  stack: string,
  plan: TopologyPlan,
  render: (dot: string) => string,
): TopologyFile[] {
  const groups = productGroups(plan);
  const assume = assumeMatrix(plan, groups);
  const state = stateAccessMatrix(plan);
  const dot = topologyDot(plan, groups, assume, state);
  const svg = render(dot);
  return [
    { path: "topology.dot", text: dot },
    { path: "topology.svg", text: svg },
    { path: "topology.html", text: topologyHtml(stack, plan, groups, assume, state, svg) },
  ];
}
