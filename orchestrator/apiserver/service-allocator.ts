import { errors } from '../api/errors.js';
import type { Service, ServicePort } from '../api/types.js';
import type { EtcdStorage } from './storage/etcd-storage.js';

export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
const NODE_PORT_CLAIMS = '/registry/ranges/servicenodeports/';
const CLUSTER_IP_CLAIMS = '/registry/ranges/serviceips/';

/**
 * Hands out node ports (30000–32767) and cluster IPs as claims in etcd, so two apiservers never
 * give the same port to two Services. A claim names the Service holding it. Cluster IPs are
 * labels only: traffic to a Service goes through kube-proxy's node ports.
 */
export class ServiceAllocator {
  constructor(
    private readonly storage: EtcdStorage,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Fills in clusterIP and node ports on a Service being created or updated, keeping what `live`
   * already holds; claims what is new. Returns the claims made, to release if the write fails.
   */
  async allocate(svc: Service, live: Service | undefined): Promise<string[]> {
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const claimed: string[] = [];
    try {
      const spec = svc.spec;
      if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
        if (!spec.clusterIP && live?.spec.clusterIP) spec.clusterIP = live.spec.clusterIP;
        if (!spec.clusterIP) {
          spec.clusterIP = await this.claimFree(CLUSTER_IP_CLAIMS, owner, claimed, () =>
            this.randomClusterIp(),
          );
        }
        spec.clusterIPs = [spec.clusterIP];
      }
      const wantsNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
      for (const port of spec.ports ?? []) {
        if (!wantsNodePorts) {
          delete port.nodePort;
          continue;
        }
        const previous = live?.spec.ports?.find((p) => samePort(p, port))?.nodePort;
        if (!port.nodePort && previous) port.nodePort = previous;
        if (port.nodePort && port.nodePort === previous) continue;
        if (port.nodePort) {
          if (!(await this.storage.claim(NODE_PORT_CLAIMS + port.nodePort, owner))) {
            throw errors.invalid('Service', '', svc.metadata.name ?? '', [
              {
                field: 'spec.ports[].nodePort',
                reason: 'FieldValueInvalid',
                message: `Invalid value: ${port.nodePort}: provided port is already allocated`,
              },
            ]);
          }
          claimed.push(NODE_PORT_CLAIMS + port.nodePort);
        } else {
          port.nodePort = Number(
            await this.claimFree(NODE_PORT_CLAIMS, owner, claimed, () => String(this.randomNodePort())),
          );
        }
      }
      return claimed;
    } catch (e) {
      await this.releaseKeys(claimed);
      throw e;
    }
  }

  /** Releases what `svc` holds that `kept` (the Service after an update) no longer uses. */
  async release(svc: Service, kept?: Service): Promise<void> {
    const keys: string[] = [];
    if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None' && kept?.spec.clusterIP !== svc.spec.clusterIP) {
      keys.push(CLUSTER_IP_CLAIMS + svc.spec.clusterIP);
    }
    for (const p of svc.spec.ports ?? []) {
      if (p.nodePort && !kept?.spec.ports?.some((k) => k.nodePort === p.nodePort))
        keys.push(NODE_PORT_CLAIMS + p.nodePort);
    }
    await this.releaseKeys(keys);
  }

  async releaseKeys(keys: string[]): Promise<void> {
    for (const key of keys) await this.storage.release(key);
  }

  private async claimFree(
    prefix: string,
    owner: string,
    claimed: string[],
    candidate: () => string,
  ): Promise<string> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const value = candidate();
      if (await this.storage.claim(prefix + value, owner)) {
        claimed.push(prefix + value);
        return value;
      }
    }
    throw errors.internal(`no free value left under ${prefix}`);
  }

  private randomNodePort(): number {
    return NODE_PORT_RANGE.min + Math.floor(this.random() * (NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1));
  }

  private randomClusterIp(): string {
    const n = 1 + Math.floor(this.random() * (256 * 256 - 2));
    return `10.96.${n >> 8}.${n & 255}`;
  }
}

function samePort(a: ServicePort, b: ServicePort): boolean {
  return a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP');
}
