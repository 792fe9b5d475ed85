// Lint runs on the TypeScript sources with type information.
// The orchestrator fence (STYLE.md example 3): Durable Functions for JS has no sandbox,
// so these rules are what keep replay deterministic.
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs', 'fs/promises', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'child_process',
  'cluster', 'worker_threads', 'os', 'crypto', 'process', 'timers', 'timers/promises', 'stream', 'readline',
].flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '.azurite/**', '.devhost/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    // The two tsconfigs named, not `projectService`: every linted file is in one of them, and building
    // the two programs up front lints the tree in 30 s where the project service took 53 s.
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './dashboard/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests assert on JSON answers field by field.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Product code never imports the local host or the simulators.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/devhost/**', '**/simulators/**'], message: 'Product code never imports devhost or the simulators.' }] }],
    },
  },
  {
    files: ['src/orchestrators/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'Orchestrators do no I/O: call an activity.' })),
        patterns: [
          { group: ['@azure/*'], message: 'Orchestrators do not call Azure SDKs: call an activity.' },
          { group: ['**/adapters/**', '**/config/**', '**/devhost/**', '**/simulators/**'], message: 'Orchestrators import only durable-functions, src/domain and activity handles.' },
          { group: ['undici', 'pino', 'axios'], message: 'Orchestrators do no I/O: call an activity.' },
          { group: ['@opentelemetry/*', '**/telemetry/**'], message: 'Orchestrators emit no telemetry (a replay would emit it again): report from an activity, from the recorded times.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'Math', property: 'random', message: 'Orchestrators must be deterministic.' },
        { object: 'process', property: 'env', message: 'Read settings in an activity or pass them as input.' },
        { object: 'crypto', property: 'randomUUID', message: 'Use context.df.newGuid().' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use context.df.currentUtcDateTime.' },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'Use context.df.createTimer.' },
        { selector: "CallExpression[callee.name='setInterval']", message: 'Use context.df.createTimer.' },
        { selector: "CallExpression[callee.name='fetch']", message: 'Orchestrators do no I/O: call an activity.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'Orchestrators do not read the environment.' }],
    },
  },
);
