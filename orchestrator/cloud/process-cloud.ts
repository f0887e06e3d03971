import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Service } from '../api/types.js';
import {
  type CloudProvider,
  type InstanceState,
  type LoadBalancerIngress,
  type LoadBalancerNode,
  loadBalancerName,
  loadBalancerPorts,
} from './cloud-provider.js';
import {
  type LoadBalancerConfig,
  balancerCovers,
  freeAddress,
  loadBalancerArgs,
  mergedBackends,
  parseAddressRange,
} from './load-balancer-plan.js';

export interface ProcessCloudOptions {
  /**
   * The cluster's state file (the process provider's cluster.json): `handles["<node>-kubelet"].pid`
   * is each worker's kubelet process.
   */
  stateFile: string;
  /** Where balancers are recorded: one `<name>.json` per balancer, with its pid and config. */
  loadBalancerDir: string;
  addressRange: string;
  /** The balancer's command line: node and the orchestrator's main. */
  program: string[];
}

interface BalancerRecord {
  service: string;
  pid: number;
  config: LoadBalancerConfig;
}

/**
 * The process cloud: a worker is its kubelet process; a load balancer is an `orchestrator
 * load-balancer` process this controller starts detached, listening on a loopback address of its
 * own. It inherits this process's environment, which carries the cluster's labels, so `crucible
 * down` stops it with the rest.
 */
export class ProcessCloud implements CloudProvider {
  readonly name = 'process';
  private readonly range: string[];

  constructor(private readonly options: ProcessCloudOptions) {
    this.range = parseAddressRange(options.addressRange);
  }

  readonly instances = {
    states: async (nodeNames: string[]): Promise<Map<string, InstanceState>> => {
      let handles: Record<string, { pid?: number }>;
      try {
        handles = (JSON.parse(await readFile(this.options.stateFile, 'utf8')) as { handles: typeof handles })
          .handles;
      } catch {
        return new Map(nodeNames.map((n) => [n, 'unknown']));
      }
      const states = await Promise.all(
        nodeNames.map(async (n) => [n, await processState(handles[`${n}-kubelet`]?.pid)] as const),
      );
      return new Map(states);
    },
  };

  readonly loadBalancers = {
    ensure: (service: Service, nodes: LoadBalancerNode[]) => this.ensure(service, nodes),
    remove: async (namespace: string, name: string): Promise<void> => {
      for (const r of await this.records(`${namespace}/${name}`)) await this.stopBalancer(r);
    },
    list: async (): Promise<string[]> => [...new Set((await this.records()).map((r) => r.service))].sort(),
  };

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async ensure(service: Service, nodes: LoadBalancerNode[]): Promise<LoadBalancerIngress[]> {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const ports = loadBalancerPorts(service);
    const [current] = await this.records(key);
    const alive = current && (await processState(current.pid)) !== 'gone';
    if (current && alive && balancerCovers(current.config, ports, nodes))
      return [{ ip: current.config.address }];
    const address =
      current?.config.address ??
      freeAddress(
        this.range,
        (await this.records()).map((r) => r.config.address),
      );
    const config: LoadBalancerConfig = {
      address,
      ports,
      backends: mergedBackends(alive ? current.config : undefined, nodes),
    };
    if (current) await this.stopBalancer(current);
    await mkdir(this.options.loadBalancerDir, { recursive: true });
    const name = loadBalancerName(service.metadata.namespace ?? 'default', service.metadata.name!);
    const log = await open(join(this.options.loadBalancerDir, `${name}.log`), 'a');
    const [command, ...prefix] = this.options.program;
    const child = spawn(command!, [...prefix, ...loadBalancerArgs(config, address)], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    await log.close();
    child.unref();
    const record: BalancerRecord = { service: key, pid: child.pid!, config };
    await writeFile(join(this.options.loadBalancerDir, `${name}.json`), JSON.stringify(record));
    return [{ ip: address }];
  }

  private async stopBalancer(r: BalancerRecord): Promise<void> {
    try {
      process.kill(r.pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
    const [namespace, name] = r.service.split('/') as [string, string];
    await rm(join(this.options.loadBalancerDir, `${loadBalancerName(namespace, name)}.json`), {
      force: true,
    });
  }

  private async records(key?: string): Promise<BalancerRecord[]> {
    let files: string[];
    try {
      files = (await readdir(this.options.loadBalancerDir)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const records = await Promise.all(
      files.map(async (f) => {
        try {
          return JSON.parse(await readFile(join(this.options.loadBalancerDir, f), 'utf8')) as BalancerRecord;
        } catch {
          return undefined;
        }
      }),
    );
    return records.filter(
      (r): r is BalancerRecord => r !== undefined && (key === undefined || r.service === key),
    );
  }
}

/** A process's state from /proc: stopped (SIGSTOP) is paused; absent or a zombie is gone. */
async function processState(pid: number | undefined): Promise<InstanceState> {
  if (pid === undefined) return 'gone';
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return 'gone';
  if (state === 'T' || state === 't') return 'paused';
  return 'running';
}
