import { expect } from 'chai';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The rule messages a file at `path` with the import `specifier` gets from the repository's own lint config. */
async function layeringErrors(path: string, specifier: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: `${ROOT}${path}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering of docs/architecture.md, kept by lint', function () {
  this.timeout(30_000);

  const refused: [file: string, specifier: string, why: RegExp][] = [
    ['orchestrator/api/x.ts', '../kubelet/kubelet.js', /imports nothing else/],
    ['orchestrator/kubelet/x.ts', '../apiserver/api-server.js', /only orchestrator\/api/],
    ['orchestrator/scheduler/x.ts', 'etcd3', /Only the apiserver touches etcd/],
    ['harness/experiment/x.ts', '../../orchestrator/kubelet/kubelet.js', /black box/],
    ['harness/checks/x.ts', '../observe/index.js', /read only the history/],
    ['harness/checks/x.ts', '../../orchestrator/api/types.js', /read only the history/],
    ['harness/checks/x.ts', 'node:fs', /pure/],
    ['harness/history/x.ts', '../observe/index.js', /imports no other room/],
    ['harness/load/x.ts', '../cluster/index.js', /load\/ does not import cluster/],
    ['harness/experiment/x.ts', '../cli/run-command.js', /Nothing imports the command line/],
    ['harness/observe/x.test.ts', '../cli/run-command.js', /Nothing imports the command line/],
    ['harness/experiment/x.ts', '../library/index.js', /the library API/],
    ['reports/x.ts', '../harness/observe/index.js', /only the history and verdict/],
    ['reports/x.ts', '../orchestrator/api/types.js', /only the history and verdict/],
    ['harness/cluster/x.ts', '../../testing/kubectl.js', /test support/],
  ];
  for (const [file, specifier, why] of refused)
    it(`refuses ${specifier} in ${file}`, async () => {
      const errors = await layeringErrors(file, specifier);
      expect(errors.join('\n')).to.match(why);
    });

  const allowed: [file: string, specifier: string][] = [
    ['harness/checks/x.ts', '../history/index.js'],
    ['harness/checks/x.ts', './verdict.js'],
    ['reports/x.ts', '../harness/history/index.js'],
    ['reports/x.ts', '../harness/checks/verdict.js'],
    ['harness/experiment/x.ts', '../../orchestrator/api/types.js'],
    ['harness/cli/x.ts', './run-command.js'],
    ['harness/cluster/x.test.ts', '../../testing/kubectl.js'],
  ];
  for (const [file, specifier] of allowed)
    it(`allows ${specifier} in ${file}`, async () => {
      expect(await layeringErrors(file, specifier)).to.deep.equal([]);
    });
});
