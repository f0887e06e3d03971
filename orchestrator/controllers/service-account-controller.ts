import type { Informer, ReconcileLoop } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { Namespace, ServiceAccount } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

/** The service accounts every namespace has, as kube-controller-manager ensures them. */
export const SERVICE_ACCOUNTS_TO_ENSURE = ['default'] as const;

/**
 * Kubernetes' serviceaccount controller: every active namespace has a `default` ServiceAccount,
 * the one its pods run as unless they name another. A namespace is looked at when it appears or
 * changes and when one of its ServiceAccounts is deleted; a missing account is created, one that
 * exists is left as it is, and nothing is created in a namespace being deleted.
 */
export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount';
  private readonly loop: ReconcileLoop;
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer<Namespace>(NAMESPACES);
    this.accounts = ctx.informers.informer<ServiceAccount>(SERVICE_ACCOUNTS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.namespaces.addHandlers({
      add: (ns) => this.loop.enqueue(ns.metadata.name!),
      update: (_old, ns) => this.loop.enqueue(ns.metadata.name!),
    });
    this.accounts.addHandlers({
      delete: (sa) => this.loop.enqueue(sa.metadata.namespace!),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const failures: string[] = [];
    for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.ctx.client.create<ServiceAccount>(SERVICE_ACCOUNTS, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace },
        });
        this.ctx.log.info(
          { controller: this.name, namespace, serviceAccount: name },
          'created service account',
        );
      } catch (e) {
        // Already there (the cache lagged), or the namespace began terminating meanwhile.
        if (isApiError(e, 'AlreadyExists') || isApiError(e, 'Forbidden') || isApiError(e, 'NotFound'))
          continue;
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  }
}
