import * as pulumi from "@pulumi/pulumi";
import type { TopologyPlan } from "../lib/plan/model";
import { ProductAccount } from "./product-account";
import { TerraformAccount } from "./terraform-account";

/** Inputs of {@link Topology}. */
export interface TopologyArgs {
  readonly plan: TopologyPlan;
}

/** The whole account topology: the Terraform account and every product account. */
export class Topology extends pulumi.ComponentResource {
  readonly terraform: TerraformAccount;
  /** Product accounts by their configured name. */
  readonly products: Readonly<Record<string, ProductAccount>>;

  constructor(name: string, args: TopologyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:index:Topology", name, {}, opts);
    const { plan } = args;
    this.terraform = new TerraformAccount(
      "terraform",
      { plan: plan.terraform, partition: plan.partition },
      { parent: this },
    );
    const products: Record<string, ProductAccount> = {};
    for (const product of plan.products) {
      products[product.key] = new ProductAccount(product.key, { plan: product }, { parent: this });
    }
    this.products = products;
    this.registerOutputs({});
  }
}
