/** The guard: pure analysis behind the policy pack, the offline synth's verdicts and the audit. */
export * from "./accounts";
export * from "./config";
export * from "./finding";
export * from "./iam-index";
export * from "./policies";
export * from "./read";
export * from "./registrations";
export * from "./report";
export * from "./run";
export * from "./topology";
export * from "./unknown";
export * from "./view";
