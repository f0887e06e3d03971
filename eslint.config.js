// Lint, and the layering of docs/architecture.md: a wrong import fails `npm run lint` and so CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const components = ['apiserver', 'scheduler', 'controllers', 'kubelet', 'proxy', 'cloud', 'workloads', 'cmd'];
// Product code never imports the test support in testing/; tests may import anything.
const testSupport = ['(^|/)testing/', 'testing/ is test support, for tests only.'];
const restrict = (...regexes) => ({
  'no-restricted-imports': [
    'error',
    { patterns: [...regexes, testSupport].map(([regex, message]) => ({ regex, message })) },
  ],
});
const product = (files) => ({ files, ignores: ['**/*.test.ts'] });
const blackBox = [
  '(^|/)orchestrator/(?!api(/|$))',
  'The harness drives the orchestrator as a black box: only orchestrator/api.',
];
const noEtcd = ['^etcd3$', 'Only the apiserver touches etcd.'];
const noCli = [
  '(^|/)(cli|library)/',
  'Nothing imports the command line or the library API (harness/cli, harness/library): they are the outermost layer.',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.crucible/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    ...product(['orchestrator/api/**/*.ts']),
    rules: restrict(
      [`(^|/)(${components.join('|')})(/|$)`, 'orchestrator/api imports nothing else of the repo.'],
      ['(^|/)(harness|reports)(/|$)', 'orchestrator/api imports nothing else of the repo.'],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    ...product(['orchestrator/{scheduler,controllers,kubelet,proxy,cloud,workloads}/**/*.ts']),
    rules: restrict(
      [
        '(^|/)(apiserver|scheduler|controllers|kubelet|proxy|cloud|workloads|cmd)/',
        'Components import only orchestrator/api.',
      ],
      ['(^|/)(harness|reports)(/|$)', 'The orchestrator never imports the harness or the reports.'],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    ...product(['orchestrator/{apiserver,cmd}/**/*.ts']),
    rules: restrict([
      '(^|/)(harness|reports)(/|$)',
      'The orchestrator never imports the harness or the reports.',
    ]),
  },
  {
    ...product(['harness/**/*.ts']),
    ignores: ['**/*.test.ts', 'harness/{checks,cli,load,history,library}/**'],
    rules: restrict(blackBox, noEtcd, noCli),
  },
  {
    ...product(['harness/cli/**/*.ts']),
    rules: restrict(blackBox, noEtcd),
  },
  {
    ...product(['harness/library/**/*.ts']),
    rules: restrict(blackBox, noEtcd),
  },
  {
    ...product(['harness/load/**/*.ts']),
    rules: restrict(blackBox, noEtcd, noCli, [
      '^\\.\\./(\\.\\./)?cluster(/|$)',
      'load/ does not import cluster/: a load reaches its targets by URL, whatever runs them.',
    ]),
  },
  {
    ...product(['harness/history/**/*.ts']),
    rules: restrict(blackBox, [
      '^\\.\\./[a-z]',
      'The history is the contract the rest of the harness writes and reads: it imports no other room.',
    ]),
  },
  {
    ...product(['harness/checks/**/*.ts']),
    rules: restrict(
      ['^\\.\\./(?!history/)', 'Checkers read only the history (harness/history).'],
      [
        '^(node:)?(fs|net|http|https|child_process|dgram|timers)(/|$)',
        'Checkers are pure: no I/O, no clock.',
      ],
      ['^(undici|etcd3|testcontainers)$', 'Checkers are pure: no I/O.'],
    ),
  },
  {
    ...product(['reports/**/*.ts']),
    rules: restrict(
      ['(^|/)orchestrator/', 'Reports import only the history and verdict types.'],
      [
        '(^|/)harness/(?!history/|checks/(verdict|expected-outcome)\\.js$)',
        'Reports import only the history and verdict types (and the pure judgement of a sabotage run).',
      ],
    ),
  },
  {
    // Tests too: the command line is tested through its own tests or the built CLI, never imported.
    files: ['**/*.test.ts', 'testing/**/*.ts'],
    ignores: ['harness/cli/**', 'harness/library/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: noCli[0], message: noCli[1] }] }],
    },
  },
  {
    // The example project's tests are plain JavaScript run by mocha on Node.js.
    files: ['examples/**/*.js'],
    languageOptions: {
      globals: {
        describe: 'readonly',
        it: 'readonly',
        before: 'readonly',
        after: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    // Tests read JSON bodies of many shapes; typing each one would say nothing the assertions don't.
    files: ['**/*.test.ts', 'testing/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
