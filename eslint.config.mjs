// ESLint for husk's TypeScript (type-checked, through tsconfig.eslint.json) and
// its plain JavaScript (scripts, test fixtures, the bin launcher). `npm run lint`.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'build/', 'node_modules/', '.tap/', 'addon/', 'benchmarks/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // As tsc's noUnusedLocals: a leading _ marks a binding kept on purpose (`for (const _ of s)`, `{ a: _drop, ...rest }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The template engine's break/continue travel as a thrown LoopSignal, not an Error, by design.
      '@typescript-eslint/only-throw-error': ['error', { allow: [{ from: 'file', name: 'LoopSignal' }] }],
      // `async` without `await` is how a function meets a Promise-returning contract (UserInterface.choose, tap callbacks).
      '@typescript-eslint/require-await': 'off',
      // `as never` on yargs builders is one idiom across every command, redundant in some; a redundant assertion is no bug.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Control characters in regexes are deliberate here: Go's %q quoting, terminal escapes in tests.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap queues t.test() subtests itself; the promise it returns need not be awaited.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: 'test', package: '@tapjs/test' }] }],
      // Tests read husk's JSON output (JSON.parse: any) and assert on it; typing each document would catch nothing t.same does not.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Fixture modules and fakes are typed with method syntax but never use `this`; tests destructure them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.cjs', 'bin/husk'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
);
