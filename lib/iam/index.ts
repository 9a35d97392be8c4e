/** The pure IAM library: document model, reading, canonical form, matching, trust analysis. */
export * from "./types";
export * from "./normalize";
export * from "./canonicalize";
export * from "./matching";
export * from "./trust";
export * from "./documents";
export * from "./evaluate";
export * from "./action-catalog";
export * from "./access-level";
