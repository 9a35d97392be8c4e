import * as pulumi from "@pulumi/pulumi";
import type { TopologyPlan } from "../lib/plan/model";
import { ProductAccount } from "./product-account";
import { TerraformAccount } from "./terraform-account";

/**
 * Which part of the topology a stack holds (`orgStack` in the config, docs/org-stacks.md):
 * the whole organisation, its core (the Terraform account) or one group of product accounts.
 */
export interface TopologyPart {
  readonly terraformAccount: boolean;
  readonly productAccounts: boolean;
  /** Product accounts are retained in AWS when they leave the stack (a core handing over). */
  readonly retainProducts: boolean;
  /** Product accounts' roles are adopted (imported), not created (a group taking over). */
  readonly adoptProducts: boolean;
}

/** The whole organisation in one stack. */
export const WHOLE: TopologyPart = {
  terraformAccount: true,
  productAccounts: true,
  retainProducts: false,
  adoptProducts: false,
};

/** Inputs of {@link Topology}. */
export interface TopologyArgs {
  readonly plan: TopologyPlan;
  /** Default: {@link WHOLE}. */
  readonly part?: TopologyPart;
}

/**
 * The account topology: the Terraform account and every product account, or the part of them
 * the stack holds. Each part keeps the resource names (and so the URNs) it has in a whole
 * stack, so a core stack split off a single stack keeps its resources in place.
 */
export class Topology extends pulumi.ComponentResource {
  /** Absent in an account-group stack. */
  readonly terraform?: TerraformAccount;
  /** Product accounts by their configured name. */
  readonly products: Readonly<Record<string, ProductAccount>>;

  constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:index:Topology", name, {}, opts);
    const { plan } = args;
    const part = args.part ?? WHOLE;
    if (part.terraformAccount) {
      this.terraform = new TerraformAccount(
        "terraform",
        { plan: plan.terraform, partition: plan.partition },
        { parent: this },
      );
    }
    const products: Record<string, ProductAccount> = {};
    for (const product of part.productAccounts ? plan.products : []) {
      products[product.key] = new ProductAccount(
        product.key,
        { plan: product, retain: part.retainProducts, adopt: part.adoptProducts },
        { parent: this },
      );
    }
    this.products = products;
    this.registerOutputs({});
  }
}
