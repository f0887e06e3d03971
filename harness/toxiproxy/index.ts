/**
 * The bundled Toxiproxy-compatible server: the harness runs it when the real toxiproxy-server is
 * not available. It speaks the HTTP API of toxiproxy-server 2.12.0 (same routes, statuses, bodies
 * and errors) and applies the same toxics to real TCP streams, so toxiproxy-node-client and the
 * faults built on it work unchanged against either.
 *
 * Known differences from toxiproxy-server, none visible in the API's bodies:
 * - Appending a toxic to a live link leaves the toxics before it running; Go interrupts the last
 *   one (re-rolling its toxicity, letting a chunk held by latency through early). Updates and
 *   removals behave as in Go: the toxic is interrupted, writes out what it held, restarts or goes.
 * - A firing reset_peer always closes with a TCP RST. Go sends a RST only if the toxic was present
 *   when the connection was accepted (it sets SO_LINGER 0 then), otherwise a FIN; and its wait
 *   cannot be interrupted, so an update blocks until it fires.
 * - Inputs that crash or wedge Go's toxics are tamed: bandwidth with rate ≤ 0 holds the data until
 *   the toxic changes; slicer with size_variation 0 or average_size 0 slices without variation or
 *   into single bytes.
 * - Requests are handled one at a time; a body above 16 MiB is refused with 413. There is no
 *   /metrics endpoint (the real one has it only with its metrics flags).
 * - Address errors of host names and service ports are worded close to Go's, not exactly
 *   ("lookup h: no such host", without the resolver's address); service names such as "http" are
 *   not looked up.
 */
export {
  startToxiproxyServer,
  type RunningToxiproxyServer,
  type ToxiproxyServerOptions,
} from './toxiproxy-server.js';
export { TOXIPROXY_API_VERSION } from './toxiproxy-api.js';
export { ToxiproxyApiError, type ToxiproxyErrorCode } from './api-errors.js';
export { AddressError, ListenError } from './listen-address.js';
