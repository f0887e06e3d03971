import { Command } from 'commander';
import { pino } from 'pino';
import { parseDuration } from '../api/duration.js';
import { TcpLoadBalancer, parseBackends } from '../cloud/index.js';
import { runUntilSignal } from './run-until-signal.js';

interface LoadBalancerFlags {
  bindAddress: string;
  ports: string;
  backends: string;
  healthInterval: string;
  connectTimeout: string;
  healthCheckPort?: string;
  healthCheckPath: string;
  logLevel: string;
}

/**
 * `orchestrator load-balancer`: the TCP balancer the cloud-controller-manager provisions for a
 * Service of type LoadBalancer. Each `port:nodePort` listens on the port and forwards to the node
 * port on a healthy backend host.
 */
export function loadBalancerCommand(): Command {
  return new Command('load-balancer')
    .description("a TCP load balancer over the workers' node ports, health-checked")
    .option('--bind-address <ip>', 'address to listen on', '0.0.0.0')
    .requiredOption('--ports <list>', 'port:nodePort pairs, comma-separated (80:30080,443:30443)')
    .option('--backends <hosts>', 'backend host addresses, comma-separated', '')
    .option('--health-interval <duration>', 'TCP health check of every backend this often', '500ms')
    .option(
      '--connect-timeout <duration>',
      'a connect (health check or forwarded) taking longer fails',
      '400ms',
    )
    .option(
      '--health-check-port <port>',
      "health-check each backend host by HTTP on this port (kube-proxy's healthz, 10256) instead of a TCP connect",
    )
    .option('--health-check-path <path>', 'path of the HTTP health check', '/healthz')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: LoadBalancerFlags) => {
      const log = pino({ name: 'load-balancer', level: flags.logLevel });
      const hosts = flags.backends
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const pairs = flags.ports
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((p) => {
          const [port, nodePort] = p.split(':').map(Number);
          if (!Number.isInteger(port) || !Number.isInteger(nodePort))
            throw new RangeError(`--ports: "${p}" is not port:nodePort`);
          return { port: port!, nodePort: nodePort! };
        });
      const balancers = pairs.map(
        ({ port, nodePort }) =>
          new TcpLoadBalancer({
            host: flags.bindAddress,
            port,
            backends: parseBackends(hosts.map((h) => `${h}:${nodePort}`).join(',')),
            healthIntervalMs: parseDuration(flags.healthInterval),
            connectTimeoutMs: parseDuration(flags.connectTimeout),
            ...(flags.healthCheckPort
              ? { healthCheck: { port: Number(flags.healthCheckPort), path: flags.healthCheckPath } }
              : {}),
            onHealthChange: (b, healthy) =>
              log.info({ port, backend: `${b.host}:${b.port}`, healthy }, 'backend health'),
          }),
      );
      await Promise.all(balancers.map((b) => b.start()));
      log.info({ address: flags.bindAddress, ports: pairs, backends: hosts }, 'load balancer listening');
      runUntilSignal(
        async () => {
          await Promise.all(balancers.map((b) => b.stop()));
        },
        (m) => log.info(m),
      );
    });
}
