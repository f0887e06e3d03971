/**
 * crucible/sleeper: a pod that does nothing and holds no port, for scheduling and lifecycle
 * tests. It prints one line when started and exits 0 at once on SIGTERM or SIGINT.
 */

// A pending timer is what keeps Node's event loop, and so the process, alive.
const keepAlive = setInterval(() => undefined, 2 ** 30);

const stop = () => {
  clearInterval(keepAlive);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

process.stdout.write(
  JSON.stringify({ msg: 'sleeping', program: 'sleeper', pod: process.env.POD_NAME ?? '' }) + '\n',
);
