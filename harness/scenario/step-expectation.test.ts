import { expect } from 'chai';
import { expectationMisses } from './step-expectation.js';

const out = (stdout: string, exitCode = 0, stderr = '') => ({ exitCode, stdout, stderr });

describe('expectationMisses', () => {
  it('holds when the exit code and every stream check match (outputs compared trimmed)', () => {
    expect(
      expectationMisses(
        {
          exitCode: 0,
          stdout: {
            equals: 'True\nTrue\nFalse',
            contains: ['True'],
            notContains: ['Unknown'],
            matches: '^False$',
            lines: { min: 2, max: 2, matching: '^True$' },
          },
        },
        out('\nTrue\nTrue\nFalse\n'),
      ),
    ).to.deep.equal([]);
  });

  it('names every miss: exit code, equality, contains, not-contains, pattern and line counts', () => {
    expect(
      expectationMisses(
        {
          exitCode: 1,
          stdout: {
            equals: '3',
            contains: ['web'],
            notContains: ['old'],
            matches: '^new',
            lines: { equals: 1 },
          },
          stderr: { contains: ['Forbidden'] },
        },
        out('old-1\nold-2', 0, 'error: nothing'),
      ),
    ).to.deep.equal([
      'exit code 0, expected 1',
      'stdout is "old-1\\nold-2", expected "3"',
      'stdout does not contain "web"',
      'stdout contains "old"',
      'stdout does not match /^new/',
      'stdout has 2 lines, expected 1',
      'stderr does not contain "Forbidden"',
    ]);
  });

  it('counts only non-empty lines, and those matching when asked', () => {
    expect(
      expectationMisses({ exitCode: 0, stdout: { lines: { min: 3 } } }, out('a\n\n\nb\n')),
    ).to.deep.equal(['stdout has 2 lines, expected at least 3']);
    expect(
      expectationMisses(
        { exitCode: 0, stdout: { lines: { max: 0, matching: 'Pending' } } },
        out('Running\nPending'),
      ),
    ).to.deep.equal(['stdout has 1 lines matching /Pending/, expected at most 0']);
    expect(
      expectationMisses({ exitCode: 0, stdout: { lines: { max: 1, unique: true } } }, out('abc\nabc\ndef\n')),
    ).to.deep.equal(['stdout has 2 different lines, expected at most 1']);
  });
});
