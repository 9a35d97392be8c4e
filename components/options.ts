import type * as pulumi from "@pulumi/pulumi";

/**
 * Options for resources whose loss loses state or evidence: Pulumi refuses to delete them
 * (`protect`) and, if they are removed from the program, leaves them in AWS (`retainOnDelete`).
 */
export const KEEP: Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete"> = {
  protect: true,
  retainOnDelete: true,
};
