import { formatTime, type Clock } from '../api/clock.js';
import { ApiError, errors } from '../api/errors.js';
import { parseApiVersion, findResource } from '../api/resources.js';
import { podServiceAccountName } from '../api/pod-references.js';
import type { BoundObjectReference, Node, Pod, ServiceAccount, TokenRequest } from '../api/types.js';
import type { ObjectRef, ServiceAccountTokenSigner } from './auth/index.js';
import { decodeBody, readBody, writeJson } from './http-io.js';
import type { NodeRestriction } from './node-restriction.js';
import type { ObjectStore } from './object-store.js';
import type { RequestContext } from './request-context.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

const API_VERSION = 'authentication.k8s.io/v1';
const KIND = 'TokenRequest';
/** A token lives an hour unless the request says otherwise, as in Kubernetes. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
/** The shortest life a token may be asked for: ten minutes, as in Kubernetes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

export interface TokenRequestOptions {
  signer: ServiceAccountTokenSigner;
  /** The audiences of a token whose request names none (`--api-audiences`). */
  audiences: readonly string[];
}

/**
 * The TokenRequest API (`POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`), as
 * kube-apiserver's serviceaccount token REST: takes an authentication.k8s.io/v1 TokenRequest,
 * defaults its audiences and expiration, checks the service account and the object the token is to
 * be bound to, and answers 201 with the request and, in its status, the signed token and when it
 * expires.
 */
export class TokenRequestHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly nodeRestriction: NodeRestriction | undefined,
    private readonly options: TokenRequestOptions,
  ) {}

  async handle(ctx: RequestContext): Promise<void> {
    const { info, user } = ctx;
    const { namespace, name } = info;
    const request = parseTokenRequest(decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']));
    const ref = request.spec.boundObjectRef ?? undefined;
    const refGroup = ref ? parseApiVersion(ref.apiVersion ?? '').group : '';
    const boundPod =
      ref?.kind === 'Pod' && refGroup === '' && ref.name ? await this.getPod(namespace, ref.name) : undefined;
    this.nodeRestriction?.admitTokenRequest(user, SERVICE_ACCOUNTS, name, request, boundPod);

    const account = (await this.store.get(SERVICE_ACCOUNTS, namespace, name)) as ServiceAccount;
    const now = this.clock.now();
    const spec = {
      audiences: request.spec.audiences?.length ? request.spec.audiences : [...this.options.audiences],
      expirationSeconds: request.spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
      boundObjectRef: ref ?? null,
    };
    validateExpiration(spec.expirationSeconds);
    const bound = ref ? await this.bind(name, ref, boundPod) : {};
    const token = this.options.signer.sign({
      namespace,
      serviceAccount: { name, uid: account.metadata.uid ?? '' },
      ...bound,
      audiences: spec.audiences,
      issuedAt: now,
      expirationSeconds: spec.expirationSeconds,
    });
    const response: TokenRequest = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace, creationTimestamp: formatTime(now) },
      spec,
      status: {
        token,
        expirationTimestamp: formatTime(new Date(now.getTime() + spec.expirationSeconds * 1000)),
      },
    };
    writeJson(ctx.res, 201, response);
  }

  /** What the token is bound to: the pod (and, for information, its node), checked against `ref`. */
  private async bind(
    serviceAccount: string,
    ref: BoundObjectReference,
    pod: Pod | undefined,
  ): Promise<{ pod?: ObjectRef; node?: ObjectRef }> {
    const { group, version } = parseApiVersion(ref.apiVersion ?? '');
    if (ref.kind !== 'Pod' || group !== '')
      throw errors.badRequest(
        `cannot bind token to object of type ${group}/${version}, Kind=${ref.kind ?? ''}`,
      );
    if (!pod) throw errors.notFound('pods', '', ref.name ?? '');
    if (podServiceAccountName(pod) !== serviceAccount)
      throw errors.badRequest(
        `cannot bind token for serviceaccount "${serviceAccount}" to pod running with different serviceaccount name.`,
      );
    const uid = pod.metadata.uid ?? '';
    if (ref.uid && ref.uid !== uid)
      throw errors.conflict(
        'Pod',
        '',
        ref.name ?? '',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    const bound: { pod: ObjectRef; node?: ObjectRef } = { pod: { name: pod.metadata.name ?? '', uid } };
    // The node is recorded for audit only; a token is no less valid for a node that is gone.
    const nodeName = pod.spec.nodeName;
    const node = nodeName ? ((await this.store.tryGet(NODES, '', nodeName)) as Node | undefined) : undefined;
    if (node) bound.node = { name: nodeName!, uid: node.metadata.uid ?? '' };
    return bound;
  }

  private async getPod(namespace: string, name: string): Promise<Pod | undefined> {
    return (await this.store.tryGet(PODS, namespace, name)) as Pod | undefined;
  }
}

/** The request body as a TokenRequest; a body of another kind or with mistyped fields is refused. */
function parseTokenRequest(body: unknown): TokenRequest {
  if (!isObject(body)) throw errors.badRequest('the request body must be an object');
  if (body.apiVersion !== undefined && body.apiVersion !== API_VERSION)
    throw errors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${API_VERSION})`,
    );
  if (body.kind !== undefined && body.kind !== KIND)
    throw errors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${KIND})`,
    );
  const spec = isObject(body.spec) ? body.spec : {};
  const problems: { field: string; message: string }[] = [];
  const audiences = spec.audiences ?? null;
  if (audiences !== null && !(Array.isArray(audiences) && audiences.every((a) => typeof a === 'string')))
    problems.push({ field: 'spec.audiences', message: 'must be a list of strings' });
  const expirationSeconds = spec.expirationSeconds ?? null;
  if (expirationSeconds !== null && !Number.isInteger(expirationSeconds))
    problems.push({ field: 'spec.expirationSeconds', message: 'must be a whole number of seconds' });
  const ref = spec.boundObjectRef ?? null;
  if (ref !== null && !(isObject(ref) && Object.values(ref).every((v) => typeof v === 'string')))
    problems.push({ field: 'spec.boundObjectRef', message: 'must be an object of strings' });
  if (problems.length > 0)
    throw errors.invalid(
      KIND,
      'authentication.k8s.io',
      '',
      problems.map((p) => ({ ...p, reason: 'FieldValueInvalid', message: `Invalid value: ${p.message}` })),
    );
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {},
    spec: {
      audiences: audiences as string[] | null,
      expirationSeconds: expirationSeconds as number | null,
      boundObjectRef: ref as BoundObjectReference | null,
    },
  };
}

function validateExpiration(seconds: number): void {
  const invalid = (message: string): ApiError =>
    errors.invalid(KIND, 'authentication.k8s.io', '', [
      {
        field: 'spec.expirationSeconds',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${seconds}: ${message}`,
      },
    ]);
  if (seconds < MIN_TOKEN_EXPIRATION_SECONDS)
    throw invalid('may not specify a duration less than 10 minutes');
  if (seconds > MAX_TOKEN_EXPIRATION_SECONDS)
    throw invalid('may not specify a duration larger than 2^32 seconds');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
