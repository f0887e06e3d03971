import type { Container, EnvFromSource, Pod } from '../api/types.js';
import { isEnvVarName } from '../api/schemas/index.js';
import type { ConfigSources, SourceKind } from './config-sources.js';
import { podFieldValue, resourceFieldValue, type NodeFacts } from './downward-api.js';

/**
 * A container's environment could not be made: a ConfigMap, Secret or key it needs is missing.
 * The kubelet reports it as CreateContainerConfigError and tries again, as upstream does.
 */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

const label = (kind: SourceKind) => (kind === 'Secret' ? 'secret' : 'configmap');

/**
 * The variables a container's spec asks for, in Kubernetes' order: `envFrom` sources first (each
 * key that is a valid variable name, after its prefix), then `env`, each value free to refer to
 * variables before it as `$(NAME)`. `base` holds what the kubelet sets itself (PATH, service
 * variables), which the spec may override. Returns the variables and the keys skipped as invalid
 * names (upstream reports them as an event).
 */
export async function containerEnv(
  pod: Pod,
  container: Container,
  base: Record<string, string>,
  sources: ConfigSources,
  node: NodeFacts,
): Promise<{ env: Record<string, string>; skipped: string[] }> {
  const namespace = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = { ...base };
  const skipped: string[] = [];
  for (const from of container.envFrom ?? []) {
    const [kind, ref] = sourceOf(from);
    if (!ref?.name) continue;
    const source = await sources.get(kind, namespace, ref.name);
    if (!source) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${label(kind)} "${ref.name}" not found`);
    }
    for (const [key, value] of source.data) {
      const name = `${from.prefix ?? ''}${key}`;
      if (isEnvVarName(name).length > 0) skipped.push(name);
      else env[name] = value.toString('utf8');
    }
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env[e.name] = expandVars(e.value ?? '', env);
      continue;
    }
    if (from.fieldRef) {
      env[e.name] = podFieldValue(pod, from.fieldRef.fieldPath, node) ?? '';
    } else if (from.resourceFieldRef) {
      env[e.name] = resourceFieldValue(pod, container, from.resourceFieldRef, node) ?? '';
    } else {
      const kind: SourceKind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
      const ref = from.secretKeyRef ?? from.configMapKeyRef;
      if (!ref?.name) continue;
      const source = await sources.get(kind, namespace, ref.name);
      if (!source) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`${label(kind)} "${ref.name}" not found`);
      }
      const value = source.data.get(ref.key);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`);
      }
      env[e.name] = value.toString('utf8');
    }
  }
  return { env, skipped };
}

function sourceOf(from: EnvFromSource): [SourceKind, { name?: string; optional?: boolean } | undefined] {
  return from.secretRef ? ['Secret', from.secretRef] : ['ConfigMap', from.configMapRef];
}

/** Expands $(VAR) references to earlier variables, as Kubernetes does; $$ escapes. */
export function expandVars(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) =>
    m === '$$' ? '$' : name !== undefined && Object.hasOwn(env, name) ? env[name]! : m,
  );
}
