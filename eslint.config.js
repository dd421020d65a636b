// Lint: typescript-eslint, React hooks, the folder boundaries of docs/ARCHITECTURE.md, and Prettier's formatting.
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Which folder of src/ may import which. The graph has no cycle, so no two folders can import each other,
 * directly or round a loop. Adding an arrow here is a design decision: update docs/ARCHITECTURE.md with it.
 */
export const FOLDER_IMPORTS = {
  experiment: [],
  train: ['experiment'],
  present: ['experiment', 'train'],
  persist: ['experiment', 'train'],
  worker: ['experiment', 'train'],
  bench: ['experiment', 'train', 'worker'],
  cli: ['experiment', 'train', 'present'],
  widgets: ['experiment'],
  store: ['experiment', 'train', 'present', 'persist', 'worker'],
  charts: ['experiment', 'train', 'present', 'store', 'widgets'],
  cliff: ['experiment', 'train', 'present', 'store', 'charts', 'widgets', 'worker'],
  sweep: ['experiment', 'train', 'present', 'persist', 'store', 'widgets'],
  ui: ['experiment', 'train', 'present', 'persist', 'worker', 'store', 'charts', 'cliff', 'sweep', 'widgets'],
  entry: ['ui', 'store'],
};

/** Code that must run unchanged in a worker, a test and the CLI: no UI library, no DOM-only or Node module. */
const PURE_FOLDERS = ['src/train/**', 'src/experiment/**', 'src/present/**'];
const NOT_IN_PURE_CODE = [
  {
    group: ['react', 'react-dom', 'react-dom/*', 'recharts', 'zustand', 'zustand/*', 'idb'],
    message: 'the core is pure: no UI, store or storage library here',
  },
  {
    group: ['node:*', 'fs', 'path', 'os', 'url', 'child_process'],
    message: 'the core runs in browsers too: no Node module here (put it in src/cli)',
  },
];

/**
 * TensorFlow.js loads only in workers: the page's folders never import it, directly or through a module of train/
 * or worker/ that does. Of those two folders the page may import (values, not only types) just these files, which
 * are kept free of tfjs by the same rule. Types may come from anywhere: they are erased.
 */
const PAGE_FOLDERS = ['ui', 'store', 'charts', 'cliff', 'sweep', 'widgets', 'entry', 'persist', 'present'];
export const TFJS_FREE = {
  train: [
    'metrics.ts',
    'metricSchema.ts',
    'runPhase.ts',
    'epochLoss.ts',
    'lossLog.ts',
    'cliffPlain.ts',
    'sweep/cellOutcome.ts',
    'sweep/sweepMethod.ts',
    'sweep/sweepCsv.ts',
  ],
  worker: ['client.ts', 'protocol.ts', 'workerShare.ts'],
};
const TFJS_FREE_NAMES = Object.values(TFJS_FREE).flatMap((files) =>
  files.map((f) => f.replace(/^.*\//, '').replace(/\.ts$/, '')),
);
const TFJS_FREE_FILES = Object.entries(TFJS_FREE).flatMap(([folder, files]) => files.map((f) => `src/${folder}/${f}`));
const TFJS_MESSAGE = 'TensorFlow.js loads only in workers: the page may import only the tfjs-free files (TFJS_FREE)';
const NO_TFJS_ON_THE_PAGE = [
  { group: ['@tensorflow/*'], message: TFJS_MESSAGE, allowTypeImports: true },
  {
    // Any file of train/ or worker/, reached from a page folder (`../train/x.ts`) or from inside (`./x.ts`),
    // but those listed; experiment/ is plain data and always allowed.
    group: [
      '**/train/**/*.ts',
      '**/worker/**/*.ts',
      ...Object.entries(TFJS_FREE).flatMap(([folder, files]) => files.map((f) => `!**/${folder}/${f}`)),
    ],
    message: TFJS_MESSAGE,
    allowTypeImports: true,
  },
];

/**
 * recharts is most of the page's JavaScript and is not needed to paint it: only the two plot modules import it, and
 * they are loaded with import() when a chart draws (charts/StepChart.tsx), never with the page's first chunk.
 */
const PLOT_MODULES = ['src/charts/StepChartPlot.tsx', 'src/charts/HiddenGradPlot.tsx'];
const RECHARTS_MESSAGE =
  'recharts loads with the plots, not the page: only PLOT_MODULES import it, and they come by import()';
const NO_RECHARTS_AT_FIRST_LOAD = [
  { group: ['recharts', 'recharts/*'], message: RECHARTS_MESSAGE, allowTypeImports: true },
  {
    group: PLOT_MODULES.map((file) => `**/${file.replace(/^.*\//, '')}`),
    message: RECHARTS_MESSAGE,
    allowTypeImports: true,
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/', '.tsbuild/', 'test-results/', 'bench-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A rule is switched off only on a line that says why.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    // Tests may reach across folders (that is what a cross-module test is); nothing imports a test, so no loop.
    ignores: ['**/*.test.ts'],
    plugins: { 'react-hooks': reactHooks, boundaries },
    settings: {
      'boundaries/include': ['src/**/*'],
      'boundaries/elements': [
        ...Object.keys(FOLDER_IMPORTS).map((folder) => ({ type: folder, pattern: `src/${folder}/**` })),
      ],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'this folder may not import that one (eslint.config.js FOLDER_IMPORTS, docs/ARCHITECTURE.md)',
          policies: Object.entries(FOLDER_IMPORTS).map(([from, to]) => ({
            from: { element: { type: from } },
            allow: { to: { element: { types: { anyOf: [from, ...to] } } } },
          })),
        },
      ],
    },
  },
  {
    files: PURE_FOLDERS,
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_IN_PURE_CODE }] },
  },
  {
    // Charts read the store; they never write it (actions live in the store and the ui).
    files: ['src/charts/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='setState']", message: 'charts never write the store' },
        {
          selector: "CallExpression[callee.property.name='getState']",
          message: 'charts subscribe with useLab(selector); they do not reach into the store',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../store/*Session.ts', '../store/export.ts'],
              message: 'charts never write the store or start work: go through the ui',
            },
          ],
        },
      ],
    },
  },
  {
    files: [...PAGE_FOLDERS.map((folder) => `src/${folder}/**`), ...TFJS_FREE_FILES],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [...NO_TFJS_ON_THE_PAGE, ...NO_RECHARTS_AT_FIRST_LOAD] },
      ],
    },
  },
  {
    files: PLOT_MODULES,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: NO_TFJS_ON_THE_PAGE }] },
  },
  {
    // Inside train/ and worker/ a tfjs-free file names its neighbours `./x.ts`: those must be on the list too.
    files: TFJS_FREE_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_TFJS_ON_THE_PAGE[0],
            {
              regex: `^\\.(?!.*/experiment/)(?!(.*/)?(${TFJS_FREE_NAMES.join('|')})\\.ts$)`,
              message: TFJS_MESSAGE,
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  prettier,
);
