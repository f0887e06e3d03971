import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { TokenFileError, loadTokenFile, parseTokenFile } from './token-file.js';

function parseError(text: string): TokenFileError {
  try {
    parseTokenFile(text, 'tokens.csv');
  } catch (e) {
    expect(e).to.be.instanceOf(TokenFileError);
    return e as TokenFileError;
  }
  throw new Error('expected a TokenFileError');
}

describe('parseTokenFile', () => {
  it('maps each token to its user name, uid and groups, adding system:authenticated', () => {
    const tokens = parseTokenFile('s3cret,alice,u-1,"team-a,devs"\n', 'tokens.csv');
    expect(tokens.get('s3cret')).to.deep.equal({
      username: 'alice',
      uid: 'u-1',
      groups: ['team-a', 'devs', 'system:authenticated'],
    });
  });

  it('accepts records without a group column', () => {
    const tokens = parseTokenFile('t1,bob,u-2', 'tokens.csv');
    expect(tokens.get('t1')).to.deep.equal({ username: 'bob', uid: 'u-2', groups: ['system:authenticated'] });
  });

  it('reads an unquoted single group and ignores columns after the fourth', () => {
    const tokens = parseTokenFile('t1,bob,u-2,ops,extra', 'tokens.csv');
    expect(tokens.get('t1')?.groups).to.deep.equal(['ops', 'system:authenticated']);
  });

  it('does not add system:authenticated twice when the file lists it', () => {
    const tokens = parseTokenFile('t1,bob,u-2,"system:authenticated,ops"', 'tokens.csv');
    expect(tokens.get('t1')?.groups).to.deep.equal(['system:authenticated', 'ops']);
  });

  it('skips blank lines and # comments, and accepts CRLF line ends', () => {
    const text =
      '# admin\r\n\r\nt1,admin,u-0,system:masters\r\n   \r\n  # indented comment\r\nt2,bob,u-2\r\n';
    const tokens = parseTokenFile(text, 'tokens.csv');
    expect([...tokens.keys()]).to.deep.equal(['t1', 't2']);
    expect(tokens.get('t1')?.username).to.equal('admin');
  });

  it('unescapes doubled quotes inside a quoted field', () => {
    const tokens = parseTokenFile('t1,"Bob ""the builder""",u-2', 'tokens.csv');
    expect(tokens.get('t1')?.username).to.equal('Bob "the builder"');
  });

  it('returns an empty map for a file with only comments', () => {
    expect(parseTokenFile('# nobody yet\n', 'tokens.csv').size).to.equal(0);
  });

  it('reports a line with too few columns with its file and line number', () => {
    const error = parseError('# header\nt1,alice,u-1\nt2,bob\n');
    expect(error.file).to.equal('tokens.csv');
    expect(error.problems).to.deep.equal([
      { line: 3, message: 'expected at least 3 columns (token, user name, user uid), found 2' },
    ]);
    expect(error.message).to.equal(
      'tokens.csv:3: expected at least 3 columns (token, user name, user uid), found 2',
    );
  });

  it('reports every malformed line at once', () => {
    const error = parseError(
      't1,alice,u-1\nt0,zoe,u-0,"team-a\n,bob,u-2\nt3,,u-3\nt1,carol,u-4\nt 5,dave,u-5\nt6,e"ve,u-6\n',
    );
    expect(error.problems.map((p) => p.line)).to.deep.equal([2, 3, 4, 5, 6, 7]);
    expect(error.message.split('\n')).to.deep.equal([
      'tokens.csv:2: unterminated quoted field starting at column 12',
      'tokens.csv:3: empty token',
      'tokens.csv:4: empty user name',
      'tokens.csv:5: duplicate token, first given on line 1',
      'tokens.csv:6: token contains whitespace',
      'tokens.csv:7: bare " in the unquoted field at column 4',
    ]);
  });

  it('rejects text after the closing quote of a field', () => {
    expect(parseError('t1,"alice"x,u-1').message).to.equal(
      'tokens.csv:1: unexpected character after the closing quote of the field at column 4',
    );
  });
});

describe('loadTokenFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses the file at the given path', async () => {
    const path = join(dir, 'tokens.csv');
    await writeFile(path, 'abc,alice,u-1,"team-a"\n');
    const tokens = await loadTokenFile(path);
    expect(tokens.get('abc')?.username).to.equal('alice');
  });

  it('names the file in the error for a malformed file', async () => {
    const path = join(dir, 'bad.csv');
    await writeFile(path, 'abc,alice\n');
    const error = await loadTokenFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TokenFileError);
    expect((error as TokenFileError).message).to.match(/bad\.csv:1: expected at least 3 columns/);
  });

  it('rejects with a TokenFileError when the file cannot be read', async () => {
    const path = join(dir, 'missing.csv');
    const error = await loadTokenFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TokenFileError);
    expect((error as TokenFileError).message).to.match(/missing\.csv: cannot read: .*ENOENT/);
  });
});
