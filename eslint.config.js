// Lint, and the layering of DESIGN.md §1: a wrong import fails `npm run lint` and so CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const components = ['apiserver', 'scheduler', 'controllers', 'kubelet', 'proxy', 'cloud', 'workloads', 'cmd'];
const restrict = (...regexes) => ({
  'no-restricted-imports': [
    'error',
    { patterns: regexes.map(([regex, message]) => ({ regex, message })) },
  ],
});

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
    files: ['orchestrator/api/**/*.ts'],
    rules: restrict(
      [`(^|/)(${components.join('|')})(/|$)`, 'orchestrator/api imports nothing else of the repo.'],
      ['(^|/)(harness|reports)(/|$)', 'orchestrator/api imports nothing else of the repo.'],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    files: ['orchestrator/{scheduler,controllers,kubelet,proxy,cloud,workloads}/**/*.ts'],
    rules: restrict(
      ['(^|/)(apiserver|scheduler|controllers|kubelet|proxy|cloud|cmd)/', 'Components import only orchestrator/api.'],
      ['(^|/)(harness|reports)(/|$)', 'The orchestrator never imports the harness or the reports.'],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    files: ['orchestrator/{apiserver,cmd}/**/*.ts'],
    rules: restrict(['(^|/)(harness|reports)(/|$)', 'The orchestrator never imports the harness or the reports.']),
  },
  {
    files: ['harness/**/*.ts'],
    rules: restrict(
      ['(^|/)orchestrator/(?!api(/|$))', 'The harness drives the orchestrator as a black box: only orchestrator/api.'],
      ['^etcd3$', 'Only the apiserver touches etcd.'],
    ),
  },
  {
    files: ['harness/checks/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['(^|/)orchestrator/(?!api(/|$))', 'The harness drives the orchestrator as a black box: only orchestrator/api.'],
      ['^(node:)?(fs|net|http|https|child_process|dgram|timers)(/|$)', 'Checkers are pure: no I/O, no clock.'],
      ['^(undici|etcd3|testcontainers)$', 'Checkers are pure: no I/O.'],
    ),
  },
  {
    files: ['reports/**/*.ts'],
    rules: restrict(
      ['(^|/)orchestrator/', 'Reports import only the history and verdict types.'],
      ['(^|/)harness/(?!(observe|checks)(/|$))', 'Reports import only the history and verdict types.'],
    ),
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
