// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/*
 * Lint: the recommended rules, plus the type-aware ones that catch what tests rarely do — a
 * promise nobody awaits or catches, a promise where a callback's result is ignored — and no
 * empty block (a catch that swallows an error must say why in a comment).
 */
export default tseslint.config(
  // Generated or local: what .gitignore keeps out of the repository is not ours to lint.
  {
    ignores: [
      "**/node_modules/**",
      ".wrangler/**",
      ".demo/**",
      ".artifacts/**",
      "browser-host/dist/**",
      "snapshots/**",
      "**/*.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      "no-empty": ["error", { allowEmptyCatch: false }],
      // `_`-prefixed names are deliberately unused (destructuring a field away, a callback's slot).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // Tests and wire code read loosely typed JSON on purpose, and say so at the cast.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  // The console's browser script: plain JavaScript type-checked by tsc through its JSDoc
  // (worker/console/tsconfig.json, lib DOM), which already knows every browser global; ESLint's
  // no-undef, which does not, is left to it. The promise rules apply as in TypeScript.
  {
    files: ["worker/console/assets/**/*.js"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "no-undef": "off",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
    },
  },
);
