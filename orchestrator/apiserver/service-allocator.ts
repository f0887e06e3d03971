import { errors } from '../api/errors.js';
import {
  DEFAULT_NODE_PORT_RANGE,
  formatPortRange,
  inPortRange,
  portRangeSize,
  type PortRange,
} from '../api/port-range.js';
import type { Service, ServicePort } from '../api/types.js';
import type { EtcdStorage } from './storage/etcd-storage.js';

const NODE_PORT_CLAIMS = '/registry/ranges/servicenodeports/';
const CLUSTER_IP_CLAIMS = '/registry/ranges/serviceips/';

/**
 * Hands out node ports (from the apiserver's `--service-node-port-range`, 30000–32767 unless
 * told otherwise) and cluster IPs as claims in etcd, so two apiservers never give the same port
 * to two Services. A claim names the Service holding it. Cluster IPs are labels only: traffic to
 * a Service goes through kube-proxy's node ports.
 *
 * As kube-apiserver's allocator: a node port asked for outside the range, or already held, is
 * 422 Invalid naming the port's field; a range with no free port left is 500 ("range is full").
 */
export class ServiceAllocator {
  constructor(
    private readonly storage: EtcdStorage,
    private readonly nodePortRange: PortRange = DEFAULT_NODE_PORT_RANGE,
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
      for (const [i, port] of (spec.ports ?? []).entries()) {
        if (!wantsNodePorts) {
          delete port.nodePort;
          continue;
        }
        const previous = live?.spec.ports?.find((p) => samePort(p, port))?.nodePort;
        if (!port.nodePort && previous) port.nodePort = previous;
        // A port the Service already holds stays, even if the range has changed since.
        if (port.nodePort && port.nodePort === previous) continue;
        if (port.nodePort) {
          const invalid = (why: string) =>
            errors.invalid('Service', '', svc.metadata.name ?? '', [
              {
                field: `spec.ports[${i}].nodePort`,
                reason: 'FieldValueInvalid',
                message: `Invalid value: ${port.nodePort}: ${why}`,
              },
            ]);
          if (!inPortRange(this.nodePortRange, port.nodePort))
            throw invalid(
              `provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.nodePortRange)}`,
            );
          if (!(await this.storage.claim(NODE_PORT_CLAIMS + port.nodePort, owner)))
            throw invalid('provided port is already allocated');
          claimed.push(NODE_PORT_CLAIMS + port.nodePort);
        } else {
          port.nodePort = await this.claimFreeNodePort(owner, claimed);
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

  /**
   * A free node port of the range, claimed: the ports nobody holds, tried from a random one on
   * (as kube-apiserver's allocator), so a nearly full range still finds its last free port.
   */
  private async claimFreeNodePort(owner: string, claimed: string[]): Promise<number> {
    const held = new Set((await this.storage.listRaw(NODE_PORT_CLAIMS)).keys());
    const size = portRangeSize(this.nodePortRange);
    const start = Math.floor(this.random() * size);
    for (let k = 0; k < size; k++) {
      const port = this.nodePortRange.min + ((start + k) % size);
      const key = NODE_PORT_CLAIMS + port;
      // Another apiserver may take a port between the list and the claim: then the next one.
      if (held.has(key) || !(await this.storage.claim(key, owner))) continue;
      claimed.push(key);
      return port;
    }
    throw errors.internal('failed to allocate a nodePort: range is full');
  }

  private randomClusterIp(): string {
    const n = 1 + Math.floor(this.random() * (256 * 256 - 2));
    return `10.96.${n >> 8}.${n & 255}`;
  }
}

function samePort(a: ServicePort, b: ServicePort): boolean {
  return a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP');
}
