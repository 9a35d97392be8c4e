export * from "./audit-trail";
export * from "./ci-user";
export * from "./product-account";
export * from "./stack";
export * from "./state-backend";
export * from "./terraform-account";
export * from "./topology";
