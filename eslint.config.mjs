// @ts-check
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

const sdk = { group: ["@aws-sdk/*"], message: "AWS SDK calls live in scripts/aws/ only." };
const pulumiPkgs = { group: ["@pulumi/*"], message: "lib/ is pure: no Pulumi imports." };

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "out/", ".scratch/", "policy-pack/node_modules/", "eslint.config.mjs"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { pulumi },
    rules: {
      "pulumi/no-output-in-template-literal": "error",
      "pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: [sdk] }],
    },
  },
  {
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            sdk,
            pulumiPkgs,
            { group: ["**/components/**", "**/scripts/**", "**/policy-pack/**"], message: "lib/ imports only lib/." },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.ts", "index.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [sdk, { group: ["**/scripts/**", "**/policy-pack/**"], message: "components import lib/ only." }] },
      ],
    },
  },
  {
    files: ["policy-pack/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [sdk, { group: ["**/components/**", "**/scripts/**"], message: "the pack imports lib/ only." }] },
      ],
    },
  },
  {
    files: ["scripts/aws/**/*.ts", "test/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
