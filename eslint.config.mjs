// ESLint: typescript-eslint's recommended rules, with type information, plus the few type-aware rules
// that catch real bugs (a promise nobody awaits, a promise where a value is wanted), and the import
// boundaries of docs/architecture.md. Formatting is Prettier's (.prettierrc.json). typescript-eslint
// reads the TypeScript 6 API while the build uses TypeScript 7: docs/decisions/009-lint-on-typescript-6-api.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layout's import rules (docs/architecture.md). Flat config does not merge a rule's options, so each
// folder's list is whole.
const PRODUCTION = ['config', 'domain', 'lib', 'models', 'server', 'workers', 'cli'];
const notTheTools = {
  regex: '^(\\.\\./)+(harness|bench|chaos|test)(/|$)',
  message: 'Production code never imports the tests or the tools (harness/, bench/, chaos/, test/): the production build leaves them out.',
};
const domainStaysPure = {
  regex: '^(bullmq|express|sequelize|sequelize-typescript|ioredis|pg)(/|$)|^\\.\\./(\\.\\./)*models(/|$)',
  message: 'domain/ holds pure rules: no BullMQ, Express, Sequelize, Redis or models/ (docs/architecture.md).',
};
const libStandsAlone = {
  regex: '^\\.\\./',
  message: 'lib/ holds generic helpers: it imports nothing of the product (docs/architecture.md).',
};
const notEachOther = (other) => ({
  regex: `^(\\.\\./)+${other}(/|$)`,
  message: 'server/ and workers/ never import each other: both depend on domain/, models/ and config/.',
});
const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

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
  { files: PRODUCTION.map((dir) => `${dir}/**/*.ts`), rules: restrictImports(notTheTools) },
  { files: ['domain/**/*.ts'], rules: restrictImports(notTheTools, domainStaysPure) },
  { files: ['lib/**/*.ts'], rules: restrictImports(notTheTools, libStandsAlone) },
  { files: ['server/**/*.ts'], rules: restrictImports(notTheTools, notEachOther('workers')) },
  { files: ['workers/**/*.ts'], rules: restrictImports(notTheTools, notEachOther('server')) },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
