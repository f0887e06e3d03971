import { findResource } from '../api/resources.js';
import type { Pod, ServiceAccount } from '../api/types.js';
import type { NodeGraph, ServiceAccountTokenGetter } from './auth/index.js';
import type { ObjectStore } from './object-store.js';

const PODS = findResource('', 'v1', 'pods')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

/**
 * What the Node authorizer and the service account token authenticator look up, read from etcd
 * on each question: they are asked rarely (a kubelet reading a ConfigMap or asking for a token, a
 * request with a service account token), and a stale answer would let a deleted pod's token or a
 * rescheduled pod's node through. Kubernetes answers from informers and a graph built from them.
 */
export class AuthLookups implements NodeGraph, ServiceAccountTokenGetter {
  constructor(private readonly store: ObjectStore) {}

  async getPod(namespace: string, name: string): Promise<Pod | undefined> {
    return (await this.store.tryGet(PODS, namespace, name)) as Pod | undefined;
  }

  async podsOnNode(nodeName: string, namespace: string): Promise<Pod[]> {
    const page = await this.store.list(PODS, namespace);
    return (page.items as Pod[]).filter((pod) => pod.spec?.nodeName === nodeName);
  }

  async getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    return (await this.store.tryGet(SERVICE_ACCOUNTS, namespace, name)) as ServiceAccount | undefined;
  }
}
