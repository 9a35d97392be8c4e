/** The trust analyzer's public API. */
export { analyzeTrust, isTrustRestrictive } from "./analyze-trust";
export { patternIncludes, type InclusionResult } from "./glob-solver";
export type { AllowedCaller, TrustFinding } from "./types";
