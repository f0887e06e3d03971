import { isDeepStrictEqual } from 'node:util';
import type { Informer, ReconcileLoop } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { ConfigMap, Namespace } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const CONFIG_MAPS = findResource('', 'v1', 'configmaps')!;

/** The ConfigMap every namespace gets, as upstream: pods' projected token volumes read `ca.crt` from it. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';

/**
 * Kubernetes' root-ca-cert-publisher: every active namespace holds the ConfigMap
 * `kube-root-ca.crt` with the cluster CA's certificate as `ca.crt`, put back when it is deleted or
 * changed, so that the `kube-api-access-*` projected volumes of real manifests resolve. Runs only
 * when the controller-manager knows the CA (its --root-ca-file, else --certificate-authority).
 */
export class RootCaCertPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  private readonly loop: ReconcileLoop;
  private readonly namespaces: Informer<Namespace>;
  private readonly configMaps: Informer<ConfigMap>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer<Namespace>(NAMESPACES);
    this.configMaps = ctx.informers.informer<ConfigMap>(CONFIG_MAPS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.namespaces.addHandlers({
      add: (ns) => this.loop.enqueue(ns.metadata.name!),
      update: (_old, ns) => this.loop.enqueue(ns.metadata.name!),
    });
    const ours = (cm: ConfigMap) => {
      if (cm.metadata.name === ROOT_CA_CONFIG_MAP) this.loop.enqueue(cm.metadata.namespace!);
    };
    this.configMaps.addHandlers({ update: (_old, cm) => ours(cm), delete: ours });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.ctx.rootCaPem) {
      this.ctx.log.info({ controller: this.name }, 'no root CA known: kube-root-ca.crt is not published');
      return;
    }
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const data = { 'ca.crt': this.ctx.rootCaPem! };
    const current = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIG_MAP}`);
    try {
      if (!current) {
        await this.ctx.client.create<ConfigMap>(CONFIG_MAPS, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, namespace },
          data,
        });
      } else if (!isDeepStrictEqual(current.data, data)) {
        await this.ctx.client.update<ConfigMap>(CONFIG_MAPS, { ...current, data });
      }
    } catch (e) {
      // The cache lagged, or the namespace began terminating meanwhile: the next event decides.
      if (isApiError(e, 'AlreadyExists') || isApiError(e, 'Forbidden') || isApiError(e, 'NotFound')) return;
      throw e;
    }
  }
}
