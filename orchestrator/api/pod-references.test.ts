import { expect } from 'chai';

import { podReferencedNames, podServiceAccountName } from './pod-references.js';
import type { Pod } from './types.js';

const pod = (spec: Record<string, unknown>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [], ...spec },
});

describe('podReferencedNames', () => {
  const full = pod({
    initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'init-env' } }] }],
    containers: [
      {
        name: 'app',
        env: [
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'key-ref', key: 'a' } } },
          { name: 'B', valueFrom: { secretKeyRef: { name: 'secret-key-ref', key: 'b' } } },
          { name: 'C', value: 'plain' },
        ],
        envFrom: [{ secretRef: { name: 'secret-env' } }],
      },
    ],
    ephemeralContainers: [{ name: 'debug', envFrom: [{ configMapRef: { name: 'debug-env' } }] }],
    volumes: [
      { name: 'cm', configMap: { name: 'volume-cm' } },
      { name: 's', secret: { secretName: 'volume-secret' } },
      {
        name: 'projected',
        projected: {
          sources: [{ configMap: { name: 'projected-cm' } }, { secret: { name: 'projected-secret' } }],
        },
      },
      { name: 'csi', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi-secret' } } },
      { name: 'scratch', emptyDir: {} },
    ],
    imagePullSecrets: [{ name: 'registry' }],
  });

  it('finds every ConfigMap a pod needs: env, envFrom, volumes and projected sources, in every kind of container', () => {
    expect([...podReferencedNames(full, 'configmaps')].sort()).to.deep.equal([
      'debug-env',
      'init-env',
      'key-ref',
      'projected-cm',
      'volume-cm',
    ]);
  });

  it('finds every Secret a pod needs, image pull secrets and volume plugin credentials included', () => {
    expect([...podReferencedNames(full, 'secrets')].sort()).to.deep.equal([
      'csi-secret',
      'projected-secret',
      'registry',
      'secret-env',
      'secret-key-ref',
      'volume-secret',
    ]);
  });

  it('finds nothing in a pod that refers to nothing', () => {
    expect(podReferencedNames(pod({ containers: [{ name: 'c' }] }), 'configmaps').size).to.equal(0);
  });
});

describe('podServiceAccountName', () => {
  it('is the pod’s service account, or default when it names none', () => {
    expect(podServiceAccountName(pod({ serviceAccountName: 'robot' }))).to.equal('robot');
    expect(podServiceAccountName(pod({ serviceAccount: 'legacy' }))).to.equal('legacy');
    expect(podServiceAccountName(pod({}))).to.equal('default');
  });
});
