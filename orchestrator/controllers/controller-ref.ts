import type { ApiClient } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import type { KubeObject, OwnerReference } from '../api/types.js';

/**
 * Adds `owner` as controller of `obj` (Kubernetes' ControllerRefManager adopt). The patch
 * carries obj's uid, so it fails on an object of the same name created since. False when the
 * object is gone.
 */
export async function adopt(
  client: ApiClient,
  r: ResourceType,
  obj: KubeObject,
  owner: OwnerReference,
): Promise<boolean> {
  try {
    await client.patch(r, obj.metadata.namespace ?? '', obj.metadata.name!, {
      metadata: { ownerReferences: [...(obj.metadata.ownerReferences ?? []), owner], uid: obj.metadata.uid },
    });
    return true;
  } catch (e) {
    if (isApiError(e, 'NotFound')) return false;
    throw e;
  }
}

/** Removes the reference to the owner `ownerUid` from `obj` (release); a gone object is released already. */
export async function release(
  client: ApiClient,
  r: ResourceType,
  obj: KubeObject,
  ownerUid: string,
): Promise<void> {
  const remaining = (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== ownerUid);
  try {
    await client.patch(r, obj.metadata.namespace ?? '', obj.metadata.name!, {
      metadata: { ownerReferences: remaining.length ? remaining : null, uid: obj.metadata.uid },
    });
  } catch (e) {
    if (!isApiError(e, 'NotFound')) throw e;
  }
}
