// ESLint flat config. `npm run lint` runs it with zero warnings allowed (part of `npm test`).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/core that hold tfjs (or Node-only) code; every other folder of the core, and its root, is
 * tfjs-free. src/engine/boundary.test.ts reads this list and checks it both ways: these folders are exactly the ones
 * whose modules import @tensorflow, and no module elsewhere in the core reaches @tensorflow, directly or transitively.
 */
export const TFJS_CORE_FOLDERS = ['aclipse', 'dsp', 'ml', 'node'];

/**
 * The architecture boundary (docs/architecture.md), the same rule as src/engine/boundary.test.ts: the UI and the
 * bridge never import TensorFlow.js, neither directly nor through the tfjs folders of src/core (TFJS_CORE_FOLDERS).
 * Type-only imports are allowed: they are erased and bring no runtime code into the page bundle.
 */
const UI_BOUNDARY = [
  {
    group: ['@tensorflow/*'],
    message: 'UI code never imports TensorFlow.js: it runs in workers/engine.worker.ts behind src/engine/api.ts.',
    allowTypeImports: true,
  },
  {
    group: TFJS_CORE_FOLDERS.flatMap((f) => [`**/core/${f}`, `**/core/${f}/**`]),
    message:
      'These parts of src/core use tfjs (or Node): the UI reaches them through the engine API (type imports are fine).',
    allowTypeImports: true,
  },
];

/** The core is framework-free and shared by the worker, the scripts and the tests: it never imports their code. */
const CORE_BOUNDARY = [
  {
    group: ['**/ui', '**/ui/**', '**/engine', '**/engine/**', '**/workers', '**/workers/**'],
    message: 'src/core must not import from src/ui, src/engine or workers (they import the core, not the reverse).',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'runs/**',
      'results/**',
      'checkpoints/**',
      'public/**',
      'attackers/.venv/**',
      'test-results/**',
      'playwright-report/**',
      'blob-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc (noUnusedLocals / noUnusedParameters) already reports these; `_`-prefixed names are deliberate.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Playwright fixtures are read from the first parameter's destructuring, so `async ({}, testInfo)` is required.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    files: ['src/**/*.tsx', 'src/ui/**/*.ts', 'src/engine/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/engine/**/*.ts', 'src/main.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: UI_BOUNDARY }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^@tensorflow\\//]',
          message: 'UI code never imports TensorFlow.js, not even lazily: it runs in the worker.',
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: CORE_BOUNDARY }],
    },
  },
);
