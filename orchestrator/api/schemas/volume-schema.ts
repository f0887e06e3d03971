/**
 * What a pod's containers get from outside their image: volumes, volume mounts and environment
 * variables drawn from ConfigMaps, Secrets and the downward API. The structures are Kubernetes';
 * the checks are `ValidateVolumes`, `ValidateVolumeMounts` and `ValidateEnv`, plus what
 * crucible's process runtime cannot provide, refused here with a message that says so rather
 * than accepted and ignored.
 */
import type {
  DownwardAPIVolumeFile,
  EnvFromSource,
  EnvVar,
  KeyToPath,
  ObjectFieldSelector,
  ResourceFieldSelector,
  Volume,
  VolumeMount,
  VolumeProjection,
} from '../types.js';
import { eachInvalid, oneOf } from './checks.js';
import { child, index, type FieldErrors } from './field-errors.js';
import { isConfigMapKey, isDNS1123Subdomain, isEnvVarName } from './names.js';
import { quantityValue } from './quantity.js';
import {
  anyObject,
  array,
  boolean,
  int32,
  int64,
  object,
  quantity,
  required,
  string,
  type Shape,
} from './shape.js';

// ---- structure ----

const keyToPath = object({ key: required(string()), path: required(string()), mode: int32() });
const objectFieldSelector = object({ apiVersion: string(), fieldPath: required(string()) });
const resourceFieldSelector = object({
  containerName: string(),
  resource: required(string()),
  divisor: quantity(),
});
const downwardAPIFile = object({
  path: required(string()),
  fieldRef: objectFieldSelector,
  resourceFieldRef: resourceFieldSelector,
  mode: int32(),
});
const namedItems = object({ name: string(), items: array(keyToPath), optional: boolean() });

/** Volume types the process runtime cannot provide: known, so that they are refused by name. */
const UNSUPPORTED_VOLUME_TYPES: Readonly<Record<string, string>> = {
  hostPath:
    'hostPath volumes are not supported: they would hand a pod the files of its node, from which crucible confines pods',
  persistentVolumeClaim:
    'persistentVolumeClaim volumes are not supported: crucible has no PersistentVolumes (no storage provisioner); use emptyDir for scratch space',
  ephemeral: 'ephemeral volumes are not supported: crucible has no storage provisioner',
  image: 'image volumes are not supported: the process runtime runs programs, not images',
  gitRepo:
    'gitRepo volumes are not supported (deprecated upstream; clone into an emptyDir from an init step)',
  csi: 'csi volumes are not supported: the process runtime has no CSI drivers',
  nfs: 'nfs volumes are not supported: the process runtime mounts no network file systems',
  iscsi: 'iscsi volumes are not supported: the process runtime attaches no block storage',
  ...Object.fromEntries(
    [
      'gcePersistentDisk',
      'awsElasticBlockStore',
      'glusterfs',
      'rbd',
      'flexVolume',
      'cinder',
      'cephfs',
      'flocker',
      'fc',
      'azureFile',
      'vsphereVolume',
      'quobyte',
      'azureDisk',
      'photonPersistentDisk',
      'portworxVolume',
      'scaleIO',
      'storageos',
    ].map((type) => [type, `${type} volumes are not supported: the process runtime attaches no storage`]),
  ),
};

/** `corev1.Volume`: the supported sources in full, the others known by name (and refused). */
export const volumeShape: Shape = object({
  name: required(string()),
  emptyDir: object({ medium: string(), sizeLimit: quantity() }),
  secret: object({
    secretName: string(),
    items: array(keyToPath),
    defaultMode: int32(),
    optional: boolean(),
  }),
  configMap: object({ name: string(), items: array(keyToPath), defaultMode: int32(), optional: boolean() }),
  downwardAPI: object({ items: array(downwardAPIFile), defaultMode: int32() }),
  projected: object({
    sources: array(
      object({
        secret: namedItems,
        configMap: namedItems,
        downwardAPI: object({ items: array(downwardAPIFile) }),
        serviceAccountToken: object({
          audience: string(),
          expirationSeconds: int64(),
          path: required(string()),
        }),
        clusterTrustBundle: anyObject(),
        podCertificate: anyObject(),
      }),
    ),
    defaultMode: int32(),
  }),
  ...Object.fromEntries(Object.keys(UNSUPPORTED_VOLUME_TYPES).map((type) => [type, anyObject()])),
});

/** `corev1.VolumeMount`. */
export const volumeMountShape: Shape = object({
  name: required(string()),
  mountPath: required(string()),
  readOnly: boolean(),
  recursiveReadOnly: string(),
  mountPropagation: string(),
  subPath: string(),
  subPathExpr: string(),
});

const optionalReference = object({ name: string(), optional: boolean() });
const keySelector = object({ name: string(), key: required(string()), optional: boolean() });

/** `corev1.EnvVar`. */
export const envVarShape: Shape = object({
  name: required(string()),
  value: string(),
  valueFrom: object({
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
  }),
});

/** `corev1.EnvFromSource`. */
export const envFromShape: Shape = object({
  prefix: string(),
  configMapRef: optionalReference,
  secretRef: optionalReference,
});

// ---- semantics ----

/** The fields of a pod an environment variable may read (`ValidateEnv`'s validEnvDownwardAPIFieldPathExpressions). */
export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
] as const;

/** The fields of a pod a downward API volume may project. */
export const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
] as const;

/** The resources `resourceFieldRef` may name. */
export const RESOURCE_FIELDS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
] as const;

const SUBSCRIPTED_FIELD = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/**
 * Where a volume may not be mounted: the process runtime shares its node's file system, so a
 * volume over one of these (or over a folder above one) would hide what every process needs.
 */
const PROTECTED_PATHS = [
  '/',
  '/bin',
  '/sbin',
  '/usr',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/var/run/secrets',
];

function normalizePath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}

/** A relative path inside a volume: not absolute, no `..` element (`validateLocalDescendingPath`). */
function validateLocalPath(errs: FieldErrors, path: string, value: string): void {
  if (value.startsWith('/')) errs.invalid(path, value, 'must be a relative path');
  if (value.split('/').includes('..')) errs.invalid(path, value, "must not contain '..'");
}

function validateMode(errs: FieldErrors, path: string, mode: number | undefined): void {
  if (mode !== undefined && (mode < 0 || mode > 0o777)) {
    errs.invalid(path, mode, 'must be a number between 0 and 0777 (octal), both inclusive');
  }
}

function validateItems(errs: FieldErrors, path: string, items: KeyToPath[] | undefined): void {
  items?.forEach((item, i) => {
    const at = index(path, i);
    if (item.key === '') errs.required(child(at, 'key'));
    else if (item.key !== undefined) eachInvalid(errs, child(at, 'key'), item.key, isConfigMapKey(item.key));
    if (item.path === '') errs.required(child(at, 'path'));
    else if (item.path !== undefined) validateLocalPath(errs, child(at, 'path'), item.path);
    validateMode(errs, child(at, 'mode'), item.mode);
  });
}

function validateFieldRef(
  errs: FieldErrors,
  path: string,
  ref: ObjectFieldSelector,
  allowed: readonly string[],
  subscripts: boolean,
): void {
  const at = child(path, 'fieldPath');
  if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') {
    errs.notSupported(child(path, 'apiVersion'), ref.apiVersion, ['v1']);
  }
  if (ref.fieldPath === '') {
    errs.required(at);
    return;
  }
  if (ref.fieldPath === undefined || allowed.includes(ref.fieldPath)) return;
  if (subscripts && SUBSCRIPTED_FIELD.test(ref.fieldPath)) return;
  errs.notSupported(
    at,
    ref.fieldPath,
    subscripts ? [...allowed, "metadata.annotations['<KEY>']", "metadata.labels['<KEY>']"] : allowed,
  );
}

function validateResourceFieldRef(
  errs: FieldErrors,
  path: string,
  ref: ResourceFieldSelector,
  containerRequired: boolean,
  containerNames: ReadonlySet<string>,
): void {
  oneOf(errs, child(path, 'resource'), ref.resource, RESOURCE_FIELDS);
  if (containerRequired && !ref.containerName) errs.required(child(path, 'containerName'));
  else if (ref.containerName && !containerNames.has(ref.containerName))
    errs.notFound(child(path, 'containerName'), ref.containerName);
  if (ref.divisor !== undefined) {
    const value = quantityValue(ref.divisor);
    if (value !== undefined && value <= 0)
      errs.invalid(child(path, 'divisor'), ref.divisor, 'must be positive');
  }
}

function validateDownwardFiles(
  errs: FieldErrors,
  path: string,
  files: DownwardAPIVolumeFile[] | undefined,
  containerNames: ReadonlySet<string>,
): void {
  files?.forEach((f, i) => {
    const at = index(path, i);
    if (f.path === '') errs.required(child(at, 'path'));
    else if (f.path !== undefined) validateLocalPath(errs, child(at, 'path'), f.path);
    validateMode(errs, child(at, 'mode'), f.mode);
    if (f.fieldRef && f.resourceFieldRef)
      errs.invalid(at, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously');
    else if (!f.fieldRef && !f.resourceFieldRef)
      errs.required(at, 'one of fieldRef and resourceFieldRef is required');
    if (f.fieldRef) validateFieldRef(errs, child(at, 'fieldRef'), f.fieldRef, VOLUME_FIELD_PATHS, true);
    if (f.resourceFieldRef)
      validateResourceFieldRef(errs, child(at, 'resourceFieldRef'), f.resourceFieldRef, true, containerNames);
  });
}

function validateProjection(
  errs: FieldErrors,
  path: string,
  source: VolumeProjection & Record<string, unknown>,
  containerNames: ReadonlySet<string>,
): void {
  const given = Object.keys(source).filter((k) => source[k] !== undefined);
  if (given.length === 0)
    errs.required(path, 'must specify exactly 1 of: secret, configMap, downwardAPI, serviceAccountToken');
  for (const extra of given.slice(1))
    errs.forbidden(child(path, extra), 'may not specify more than 1 volume type per source');
  for (const refused of ['clusterTrustBundle', 'podCertificate']) {
    if (source[refused] !== undefined)
      errs.forbidden(
        child(path, refused),
        `${refused} projections are not supported: crucible issues no such certificates`,
      );
  }
  if (source.secret) validateItems(errs, child(child(path, 'secret'), 'items'), source.secret.items);
  if (source.configMap) validateItems(errs, child(child(path, 'configMap'), 'items'), source.configMap.items);
  if (source.downwardAPI)
    validateDownwardFiles(
      errs,
      child(child(path, 'downwardAPI'), 'items'),
      source.downwardAPI.items,
      containerNames,
    );
  const token = source.serviceAccountToken;
  if (token) {
    const at = child(path, 'serviceAccountToken');
    if (token.expirationSeconds !== undefined && token.expirationSeconds < 600)
      errs.invalid(
        child(at, 'expirationSeconds'),
        token.expirationSeconds,
        'may not specify a duration less than 10 minutes',
      );
    if (token.expirationSeconds !== undefined && token.expirationSeconds > 2 ** 32)
      errs.invalid(
        child(at, 'expirationSeconds'),
        token.expirationSeconds,
        'may not specify a duration larger than 2^32 seconds',
      );
    if (token.path === '') errs.required(child(at, 'path'));
    else if (token.path !== undefined) validateLocalPath(errs, child(at, 'path'), token.path);
  }
}

/** `ValidateVolumes` at `path` (`spec.volumes`), for the sources the process runtime provides. */
export function validateVolumes(
  errs: FieldErrors,
  path: string,
  volumes: Volume[] | undefined,
  containerNames: ReadonlySet<string>,
): void {
  volumes?.forEach((v, i) => {
    const at = index(path, i);
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined);
    if (sources.length === 0) errs.required(at, 'must specify a volume type');
    for (const extra of sources.slice(1))
      errs.forbidden(child(at, extra), 'may not specify more than 1 volume type');
    for (const source of sources) {
      const refused = Object.hasOwn(UNSUPPORTED_VOLUME_TYPES, source)
        ? UNSUPPORTED_VOLUME_TYPES[source]
        : undefined;
      if (refused) errs.forbidden(child(at, source), refused);
    }
    if (v.emptyDir) {
      const medium = v.emptyDir.medium;
      if (medium !== undefined && medium !== '' && medium !== 'Memory') {
        errs.notSupported(child(child(at, 'emptyDir'), 'medium'), medium, ['', 'Memory']);
      }
      if (v.emptyDir.sizeLimit !== undefined) {
        errs.warn(
          child(child(at, 'emptyDir'), 'sizeLimit'),
          'is not enforced: the process runtime keeps an emptyDir as a directory on its node, without a quota',
        );
      }
      if (medium === 'Memory') {
        errs.warn(
          child(child(at, 'emptyDir'), 'medium'),
          "Memory is served from the node's disk: the process runtime gives each container its own mount namespace, so a tmpfs could not be shared by the pod's containers",
        );
      }
    }
    if (v.secret) {
      const s = v.secret;
      const at2 = child(at, 'secret');
      if (!s.secretName) errs.required(child(at2, 'secretName'));
      else eachInvalid(errs, child(at2, 'secretName'), s.secretName, isDNS1123Subdomain(s.secretName));
      validateItems(errs, child(at2, 'items'), s.items);
      validateMode(errs, child(at2, 'defaultMode'), s.defaultMode);
    }
    if (v.configMap) {
      const c = v.configMap;
      const at2 = child(at, 'configMap');
      if (!c.name) errs.required(child(at2, 'name'));
      else eachInvalid(errs, child(at2, 'name'), c.name, isDNS1123Subdomain(c.name));
      validateItems(errs, child(at2, 'items'), c.items);
      validateMode(errs, child(at2, 'defaultMode'), c.defaultMode);
    }
    if (v.downwardAPI) {
      const at2 = child(at, 'downwardAPI');
      validateDownwardFiles(errs, child(at2, 'items'), v.downwardAPI.items, containerNames);
      validateMode(errs, child(at2, 'defaultMode'), v.downwardAPI.defaultMode);
    }
    if (v.projected) {
      const at2 = child(at, 'projected');
      v.projected.sources?.forEach((s, j) =>
        validateProjection(
          errs,
          index(child(at2, 'sources'), j),
          s as VolumeProjection & Record<string, unknown>,
          containerNames,
        ),
      );
      validateMode(errs, child(at2, 'defaultMode'), v.projected.defaultMode);
    }
  });
}

/** `ValidateVolumeMounts` at `path` (`spec.containers[0].volumeMounts`). */
export function validateVolumeMounts(
  errs: FieldErrors,
  path: string,
  mounts: VolumeMount[] | undefined,
  volumes: ReadonlySet<string>,
): void {
  const mountPaths = new Set<string>();
  mounts?.forEach((m, i) => {
    const at = index(path, i);
    if (m.name !== undefined && !volumes.has(m.name)) errs.notFound(child(at, 'name'), m.name);
    if (m.mountPath === '') errs.required(child(at, 'mountPath'));
    else if (m.mountPath !== undefined) {
      if (mountPaths.has(m.mountPath)) errs.invalid(child(at, 'mountPath'), m.mountPath, 'must be unique');
      mountPaths.add(m.mountPath);
      if (m.mountPath.startsWith('/')) {
        const target = normalizePath(m.mountPath);
        const hides = PROTECTED_PATHS.find(
          (p) => p === target || p.startsWith(target === '/' ? '/' : `${target}/`),
        );
        if (hides) {
          errs.invalid(
            child(at, 'mountPath'),
            m.mountPath,
            `the process runtime shares its node's file system: a volume may not be mounted over ${hides}${hides === target ? '' : ', which it would hide'}`,
          );
        }
      }
      if (m.mountPath.split('/').includes('..'))
        errs.invalid(child(at, 'mountPath'), m.mountPath, "must not contain '..'");
    }
    if (m.subPath) validateLocalPath(errs, child(at, 'subPath'), m.subPath);
    if (m.subPathExpr)
      errs.forbidden(
        child(at, 'subPathExpr'),
        'subPathExpr is not supported by the process runtime; use subPath',
      );
    if (m.mountPropagation !== undefined && m.mountPropagation !== 'None') {
      errs.notSupported(child(at, 'mountPropagation'), m.mountPropagation, ['None']);
    }
    if (m.recursiveReadOnly !== undefined && m.recursiveReadOnly !== 'Disabled') {
      errs.notSupported(child(at, 'recursiveReadOnly'), m.recursiveReadOnly, ['Disabled']);
    }
  });
}

/** `ValidateEnv` and `ValidateEnvFrom` for one container at `path`. */
export function validateEnv(
  errs: FieldErrors,
  path: string,
  env: EnvVar[] | undefined,
  envFrom: EnvFromSource[] | undefined,
  containerNames: ReadonlySet<string>,
): void {
  env?.forEach((e, i) => {
    const at = index(child(path, 'env'), i);
    if (e.name === '') errs.required(child(at, 'name'));
    else if (e.name !== undefined) eachInvalid(errs, child(at, 'name'), e.name, isEnvVarName(e.name));
    const from = e.valueFrom;
    if (!from) return;
    const fromAt = child(at, 'valueFrom');
    const given = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter(
      (k) => from[k] !== undefined,
    );
    if (e.value) errs.invalid(fromAt, '', 'may not be specified when `value` is not empty');
    if (given.length === 0)
      errs.invalid(
        fromAt,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      );
    if (given.length > 1) errs.invalid(fromAt, '', 'may not have more than one field specified at a time');
    if (from.fieldRef)
      validateFieldRef(errs, child(fromAt, 'fieldRef'), from.fieldRef, ENV_FIELD_PATHS, true);
    if (from.resourceFieldRef)
      validateResourceFieldRef(
        errs,
        child(fromAt, 'resourceFieldRef'),
        from.resourceFieldRef,
        false,
        containerNames,
      );
    for (const which of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[which];
      if (!ref) continue;
      const refAt = child(fromAt, which);
      if (!ref.name) errs.required(child(refAt, 'name'));
      if (ref.key === '') errs.required(child(refAt, 'key'));
      else if (ref.key !== undefined)
        eachInvalid(errs, child(refAt, 'key'), ref.key, isConfigMapKey(ref.key));
    }
  });
  envFrom?.forEach((e, i) => {
    const at = index(child(path, 'envFrom'), i);
    if (e.prefix) eachInvalid(errs, child(at, 'prefix'), e.prefix, isEnvVarName(e.prefix));
    const refs = (['configMapRef', 'secretRef'] as const).filter((k) => e[k] !== undefined);
    if (refs.length === 0) errs.invalid(at, '', 'must specify one of: `configMapRef` or `secretRef`');
    if (refs.length > 1) errs.invalid(at, '', 'may not have more than one field specified at a time');
    for (const which of refs) if (!e[which]!.name) errs.required(child(child(at, which), 'name'));
  });
}
