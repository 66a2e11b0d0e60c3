// ESLint: typescript-eslint's recommended rules, with type information, plus the few type-aware rules
// that catch real bugs (a promise nobody awaits, a promise where a value is wanted). Formatting is
// Prettier's (.prettierrc.json). typescript-eslint reads the TypeScript 6 API while the build uses
// TypeScript 7: docs/decisions/007-lint-on-typescript-6-api.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'chaos/results/', 'test-output/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A promise returned unawaited from a try block escapes its catch and finally.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `const { dropped, ...rest } = value` is how a key is left out; Express tells an error handler by
      // its four parameters, so a parameter named `_next` is there to be counted.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read JSON answers and OpenAPI documents, untyped by nature, and chai checks their shape.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
