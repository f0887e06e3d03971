import { Command } from 'commander';
import { seededRandom } from '../support/index.js';
import { startToxiproxyServer, TOXIPROXY_API_VERSION } from '../toxiproxy/index.js';
import { UsageError } from './usage-error.js';

interface ToxiproxyFlags {
  host: string;
  port: string;
  seed?: string;
}

/**
 * `crucible toxiproxy [--host H] [--port P] [--seed N]`: the bundled Toxiproxy-compatible server in the
 * foreground until SIGINT or SIGTERM — what the harness starts when there is no real
 * toxiproxy-server, and what a container runs (`--host 0.0.0.0`).
 */
export function toxiproxyCommand(): Command {
  return new Command('toxiproxy')
    .description(
      `run the bundled Toxiproxy-compatible server (the HTTP API of toxiproxy-server ${TOXIPROXY_API_VERSION})`,
    )
    .option('--host <address>', 'address the HTTP API listens on', '127.0.0.1')
    .option('--port <port>', 'port of the HTTP API (0: any free port)', '8474')
    .option('--seed <n>', 'seed for toxicity rolls, jitter and slicing (default: unseeded)')
    .action(async (flags: ToxiproxyFlags) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535)
        throw new UsageError('InvalidFlag', `--port: "${flags.port}" is not a port from 0 to 65535`);
      if (flags.seed !== undefined && !/^-?\d+$/.test(flags.seed))
        throw new UsageError('InvalidFlag', `--seed: "${flags.seed}" is not a whole number`);
      const random = flags.seed === undefined ? undefined : seededRandom(Number(flags.seed));
      const server = await startToxiproxyServer({ host: flags.host, port, random });
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdout.write(`toxiproxy (API ${TOXIPROXY_API_VERSION}) listening on ${server.url}\n`);
      await stopped;
      await server.close();
    });
}
