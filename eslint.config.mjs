// Lint: the recommended JavaScript and typescript-eslint rules over sources, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layer rules (dependencies point one way: nodes → polling → normalize/profiles → protocol). Each entry forbids import
// paths with one of these folder segments, or one of these packages; test/lint/layers.test.ts proves they bite.
const NODE_RED = { regex: '^@?node-red(/|-|$)', message: 'Node-RED belongs in nodes/: src/ is plain TypeScript.' };
const folders = (names, message) => ({ regex: `(^|/)(${names.join('|')})(/|$)`, message });
const SRC = [
  NODE_RED,
  folders(['nodes', 'test', 'bench', 'scripts'], 'src/ imports neither the node wrappers nor test, bench or scripts.'),
];
const PROTOCOL = [
  ...SRC,
  folders(
    ['polling', 'normalize', 'profiles', 'integrations', 'actions', 'control', 'cli', 'sim', 'traps', 'battery', 'fuzz'],
    'src/protocol knows nothing above it: only other protocol files, src/errors and src/types.',
  ),
  { regex: '^(\\.\\./)+(device|device-name|url|index)$', message: 'src/protocol knows nothing above it.' },
];
const NO_POLLING = folders(['polling'], 'The simulator and integrations do not depend on polling internals.');
const NODES = [
  folders(['test', 'bench', 'scripts', 'dist', 'fuzz'], 'Nodes import src/ modules only (never test, bench or fuzz code).'),
];
const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.node-red/', 'coverage/', 'resources/migrations.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Editor scripts inside the node HTML run in the browser; the runtime .ts files use Node-RED's CommonJS export.
    files: ['nodes/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The editor's shared script (resources/, served to the browser by Node-RED): a classic script on jQuery and RED.
    files: ['resources/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', RED: 'readonly', $: 'readonly' } },
  },
  // Later entries replace earlier ones for the files they match, so each carries the rules of the wider layer too.
  layer(['src/**/*.ts'], SRC),
  layer(['src/protocol/**/*.ts'], PROTOCOL),
  layer(['src/sim/**/*.ts', 'src/integrations/**/*.ts'], [...SRC, NO_POLLING]),
  layer(['nodes/**/*.ts'], NODES),
);
