/** The live audit's pure part: targets, snapshots, the live view, checks, report. */
export * from "./access-key-age";
export * from "./audit-role-policy";
export * from "./ci-admission";
export * from "./cli-args";
export * from "./document-diff";
export * from "./drift";
export * from "./extra-roles";
export * from "./finding";
export * from "./live-view";
export * from "./managed-policy-parity";
export * from "./policy-text";
export * from "./pool";
export * from "./render-text";
export * from "./report";
export * from "./snapshot";
export * from "./targets";
export * from "./unique-id-principals";
