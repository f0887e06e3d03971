/**
 * kube-apiserver's static token file (`--token-auth-file`): one CSV record per line,
 * `token,user,uid[,"group1,group2"]`. Read once at start-up, so its problems are reported as a
 * `TokenFileError` naming file and line rather than as an API error.
 */
import { readFile } from 'node:fs/promises';

import { withAuthenticatedGroup, type UserInfo } from './user-info.js';

/** One problem found in a token file; `line` is 1-based and absent when the file could not be read. */
export interface TokenFileProblem {
  line?: number;
  message: string;
}

/**
 * A token file that cannot be used. Lists every problem found, each as `file:line: message`, so an
 * operator can fix the file in one pass.
 */
export class TokenFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly TokenFileProblem[],
  ) {
    super(
      problems
        .map((p) => (p.line === undefined ? `${file}: ${p.message}` : `${file}:${p.line}: ${p.message}`))
        .join('\n'),
    );
    this.name = 'TokenFileError';
  }
}

/**
 * Parses the text of a token file into token → user. Blank lines and lines whose first non-blank
 * character is `#` are skipped. Fields follow RFC 4180 quoting within one line (`""` is a literal
 * quote); a record needs at least token, user name and uid; the optional fourth field is a
 * comma-separated group list; further fields are ignored, as kube-apiserver does. Every user also
 * gets the group `system:authenticated`.
 *
 * Stricter than kube-apiserver where it would only log a warning: an empty token, a token containing
 * whitespace (a bearer header cannot carry it), an empty user name and a token listed twice are
 * errors. Throws one `TokenFileError` listing every problem.
 */
export function parseTokenFile(text: string, fileName: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const firstLineOf = new Map<string, number>();
  const problems: TokenFileProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;

    const parsed = splitCsvRecord(raw);
    if (typeof parsed === 'string') {
      problems.push({ line, message: parsed });
      return;
    }
    if (parsed.length < 3) {
      problems.push({
        line,
        message: `expected at least 3 columns (token, user name, user uid), found ${parsed.length}`,
      });
      return;
    }
    const [token, username, uid, groupList] = parsed as [string, string, string, string | undefined];
    const before = problems.length;
    if (token === '') problems.push({ line, message: 'empty token' });
    else if (/\s/.test(token)) problems.push({ line, message: 'token contains whitespace' });
    if (username === '') problems.push({ line, message: 'empty user name' });
    const seenAt = firstLineOf.get(token);
    if (token !== '' && seenAt !== undefined) {
      problems.push({ line, message: `duplicate token, first given on line ${seenAt}` });
    }
    if (problems.length > before) return;

    const groups = (groupList ?? '').split(',').filter((g) => g !== '');
    firstLineOf.set(token, line);
    tokens.set(token, withAuthenticatedGroup({ username, uid, groups }));
  });

  if (problems.length > 0) throw new TokenFileError(fileName, problems);
  return tokens;
}

/**
 * Reads and parses the token file at `path` (see `parseTokenFile`). Rejects with a `TokenFileError`
 * when the file cannot be read or has problems.
 */
export async function loadTokenFile(path: string): Promise<Map<string, UserInfo>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(path, [
      { message: `cannot read: ${e instanceof Error ? e.message : String(e)}` },
    ]);
  }
  return parseTokenFile(text, path);
}

/**
 * Splits one CSV line into fields, or returns why it is malformed. Quoted fields may not span lines:
 * a token file record is always one line, and a stray quote is far likelier than an intended newline.
 */
function splitCsvRecord(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const column = i + 1;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return `unterminated quoted field starting at column ${column}`;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i];
        i++;
      }
      if (i < line.length && line[i] !== ',') {
        return `unexpected character after the closing quote of the field at column ${column}`;
      }
      fields.push(value);
    } else {
      const end = line.indexOf(',', i);
      const value = end < 0 ? line.slice(i) : line.slice(i, end);
      if (value.includes('"')) return `bare " in the unquoted field at column ${column}`;
      fields.push(value);
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
