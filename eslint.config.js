// Lint, and the layering of DESIGN.md §1: a wrong import fails `npm run lint` and so CI.
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
    rules: restrict(
      [
        '(^|/)orchestrator/(?!api(/|$))',
        'The harness drives the orchestrator as a black box: only orchestrator/api.',
      ],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    ...product(['harness/checks/**/*.ts']),
    rules: restrict(
      [
        '(^|/)orchestrator/(?!api(/|$))',
        'The harness drives the orchestrator as a black box: only orchestrator/api.',
      ],
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
      ['(^|/)harness/(?!(observe|checks)(/|$))', 'Reports import only the history and verdict types.'],
    ),
  },
  {
    // Tests read JSON bodies of many shapes; typing each one would say nothing the assertions don't.
    files: ['**/*.test.ts', 'testing/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
