import type { LoadErrorKind } from '../load-sample.js';

/**
 * The kind of a k6 `error_code` tag. k6's list (docs: "Error codes"):
 *
 * | code      | k6's meaning                                         | kind    |
 * |-----------|------------------------------------------------------|---------|
 * | 1000      | generic error                                        | other   |
 * | 1010      | non-TCP network error                                | other   |
 * | 1020      | invalid URL                                          | other   |
 * | 1050      | the HTTP request timed out                           | timeout |
 * | 1100–1199 | DNS (1101 no IP for host, 1110/1111 blocked)         | dns     |
 * | 1200      | generic TCP error                                    | other   |
 * | 1201      | broken pipe on write: the peer closed the connection | reset   |
 * | 1202      | unknown OS-level TCP error                           | other   |
 * | 1210      | generic dial error                                   | other   |
 * | 1211      | dial timeout                                         | timeout |
 * | 1212      | dial: connection refused                             | refused |
 * | 1213      | unknown dial error                                   | other   |
 * | 1220      | connection reset by peer                             | reset   |
 * | 1300–1399 | TLS (1310 unknown authority, 1311 wrong host name)   | tls     |
 * | 1400–1599 | an answer with HTTP status code − 1000 (1503 = 503)  | http    |
 * | 1600–1699 | HTTP/2 (GoAway, stream and connection errors)        | other   |
 * | 1701      | response body decompression failed                   | other   |
 */
export function k6ErrorKind(code: number): LoadErrorKind {
  switch (code) {
    case 1050:
    case 1211:
      return 'timeout';
    case 1212:
      return 'refused';
    case 1201:
    case 1220:
      return 'reset';
  }
  if (code >= 1100 && code < 1200) return 'dns';
  if (code >= 1300 && code < 1400) return 'tls';
  if (code >= 1400 && code < 1600) return 'http';
  return 'other';
}
