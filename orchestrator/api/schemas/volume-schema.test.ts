import { expect } from 'chai';
import { validateObject } from './validate-object.js';
import { causesOf, container, expectCause, expectValid, pod } from './support.test.js';

const mounted = (mountPath: string, over: object = {}) =>
  container({ volumeMounts: [{ name: 'v', mountPath, ...over }] });

describe('Volumes, mounts and environment sources', () => {
  it('admits secret, configMap, emptyDir, downwardAPI and projected volumes', () => {
    expectValid(
      pod({
        volumes: [
          { name: 'a', secret: { secretName: 's', items: [{ key: 'k', path: 'dir/k', mode: 0o400 }] } },
          { name: 'b', configMap: { name: 'c', optional: true } },
          { name: 'c', emptyDir: {} },
          {
            name: 'd',
            downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
          },
          {
            name: 'e',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                {
                  downwardAPI: {
                    items: [
                      { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                    ],
                  },
                },
              ],
            },
          },
        ],
      }),
      'Pod',
    );
  });

  it('refuses a volume type the process runtime cannot provide, saying why', () => {
    expectCause(
      pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'x' } }] }),
      'Pod',
      'spec.volumes[0].persistentVolumeClaim',
      'crucible has no PersistentVolumes',
    );
    expectCause(
      pod({ volumes: [{ name: 'h', hostPath: { path: '/etc' } }] }),
      'Pod',
      'spec.volumes[0].hostPath',
      'hostPath volumes are not supported',
    );
    expectCause(
      pod({ containers: [container({ volumeDevices: [{ name: 'raw', devicePath: '/dev/xvda' }] })] }),
      'Pod',
      'spec.containers[0].volumeDevices',
      'block devices are not supported',
    );
  });

  it('refuses two sources in one volume and secret items that climb out of the volume', () => {
    expectCause(
      pod({ volumes: [{ name: 'v', emptyDir: {}, configMap: { name: 'c' } }] }),
      'Pod',
      'spec.volumes[0].configMap',
      'may not specify more than 1 volume type',
    );
    expectCause(
      pod({ volumes: [{ name: 'v', secret: { secretName: 's', items: [{ key: 'k', path: '../k' }] } }] }),
      'Pod',
      'spec.volumes[0].secret.items[0].path',
      "must not contain '..'",
    );
  });

  it('refuses a mount over a folder every process needs, and subPathExpr', () => {
    const volumes = [{ name: 'v', emptyDir: {} }];
    expectValid(pod({ volumes, containers: [mounted('/etc/config')] }), 'Pod');
    expectCause(
      pod({ volumes, containers: [mounted('/usr')] }),
      'Pod',
      'spec.containers[0].volumeMounts[0].mountPath',
      'may not be mounted over /usr',
    );
    expectCause(
      pod({ volumes, containers: [mounted('/var')] }),
      'Pod',
      'spec.containers[0].volumeMounts[0].mountPath',
      'over /var/run/secrets, which it would hide',
    );
    expectCause(
      pod({ volumes, containers: [mounted('/data', { subPathExpr: '$(POD)' })] }),
      'Pod',
      'spec.containers[0].volumeMounts[0].subPathExpr',
      'not supported',
    );
  });

  it('warns that an emptyDir size limit is not enforced', () => {
    const { warnings } = validateObject(pod({ volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }] }), {
      kind: 'Pod',
      fieldValidation: 'Strict',
    });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^spec\.volumes\[0\]\.emptyDir\.sizeLimit: is not enforced/);
  });

  it('admits env from ConfigMaps, Secrets and the downward API, and refuses what no one can resolve', () => {
    expectValid(
      pod({
        containers: [
          container({
            env: [
              { name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
              { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
              { name: 'C', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              { name: 'D', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            ],
            envFrom: [{ prefix: 'CM_', configMapRef: { name: 'c' } }, { secretRef: { name: 's' } }],
          }),
        ],
      }),
      'Pod',
    );
    expectCause(
      pod({
        containers: [container({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.x' } } }] })],
      }),
      'Pod',
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath',
      'Unsupported value: "spec.x"',
    );
    expectCause(
      pod({
        containers: [
          container({
            env: [
              {
                name: 'A',
                valueFrom: {
                  configMapKeyRef: { name: 'c', key: 'k' },
                  secretKeyRef: { name: 's', key: 'k' },
                },
              },
            ],
          }),
        ],
      }),
      'Pod',
      'spec.containers[0].env[0].valueFrom',
      'may not have more than one field specified at a time',
    );
    expect(causesOf(pod({ containers: [container({ envFrom: [{}] })] }), 'Pod')[0]?.field).to.equal(
      'spec.containers[0].envFrom[0]',
    );
  });
});
