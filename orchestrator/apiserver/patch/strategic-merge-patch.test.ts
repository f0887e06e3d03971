import { expect } from 'chai';
import { ApiError } from '../../api/errors.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

type Obj = Record<string, unknown>;
const smp = (target: unknown, patch: unknown, kind = 'Pod') =>
  applyStrategicMergePatch(target, patch, kind) as Obj;
const names = (list: unknown) => (list as { name: string }[]).map((c) => c.name);

function rejection(target: unknown, patch: unknown, kind = 'Pod'): ApiError {
  try {
    applyStrategicMergePatch(target, patch, kind);
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the patch to be rejected');
}

function pod(spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...metadata }, spec };
}

describe('applyStrategicMergePatch', () => {
  describe('maps', () => {
    it('merges maps key by key and deletes a key given null', () => {
      const live = pod({ nodeSelector: { disk: 'ssd', zone: 'a' } }, { labels: { app: 'web', tier: 'fe' } });
      const out = smp(live, {
        metadata: { labels: { tier: null, team: 'x' } },
        spec: { nodeSelector: { zone: 'b' } },
      });
      expect(out.metadata).to.deep.equal({
        name: 'p',
        namespace: 'default',
        labels: { app: 'web', team: 'x' },
      });
      expect(out.spec).to.deep.equal({ nodeSelector: { disk: 'ssd', zone: 'b' } });
    });

    it('drops a null for a key the object does not have', () => {
      expect(smp({ a: 1 }, { b: null })).to.deep.equal({ a: 1 });
    });

    it('replaces a map wholesale with $patch: replace', () => {
      const out = smp(pod({ nodeSelector: { disk: 'ssd', zone: 'a' } }), {
        spec: { nodeSelector: { $patch: 'replace', gpu: 'yes' } },
      });
      expect(out.spec).to.deep.equal({ nodeSelector: { gpu: 'yes' } });
    });

    it('empties a map with $patch: delete, as upstream does', () => {
      const out = smp(pod({ securityContext: { runAsUser: 1000 } }), {
        spec: { securityContext: { $patch: 'delete' } },
      });
      expect(out.spec).to.deep.equal({ securityContext: {} });
    });

    it('treats $patch: merge as the default merge', () => {
      const out = smp(pod({ nodeSelector: { a: '1' } }), {
        spec: { nodeSelector: { $patch: 'merge', b: '2' } },
      });
      expect(out.spec).to.deep.equal({ nodeSelector: { a: '1', b: '2' } });
    });

    it('clears the members of a Deployment strategy that $retainKeys does not list', () => {
      const live = {
        kind: 'Deployment',
        spec: {
          replicas: 2,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        },
      };
      const out = smp(
        live,
        { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
        'Deployment',
      );
      expect(out.spec).to.deep.equal({ replicas: 2, strategy: { type: 'Recreate' } });
    });

    it('rejects a patch setting a member that $retainKeys does not list', () => {
      const err = rejection(
        { spec: { strategy: {} } },
        { spec: { strategy: { $retainKeys: ['type'], x: 1 } } },
      );
      expect(err.reason).to.equal('BadRequest');
      expect(err.message).to.contain('retainKeys');
    });
  });

  describe('lists of objects with a merge key', () => {
    const live = pod({
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          args: ['-g', 'daemon off;'],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
        },
        { name: 'sidecar', image: 'busybox' },
      ],
    });

    it('merges containers by name, leaving the other containers and fields alone', () => {
      const out = smp(live, { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } });
      const [web, sidecar] = (out.spec as { containers: Obj[] }).containers;
      expect(web).to.deep.equal({
        ...(live.spec as { containers: Obj[] }).containers[0],
        image: 'nginx:1.27',
      });
      expect(sidecar).to.deep.equal({ name: 'sidecar', image: 'busybox' });
    });

    it('merges env by name inside a merged container, keeping live order for known names', () => {
      const out = smp(live, {
        spec: {
          containers: [
            {
              name: 'web',
              env: [
                { name: 'B', value: 'two' },
                { name: 'C', value: '3' },
              ],
            },
          ],
        },
      });
      expect((out.spec as { containers: { env: unknown }[] }).containers[0].env).to.deep.equal([
        { name: 'A', value: '1' },
        { name: 'B', value: 'two' },
        { name: 'C', value: '3' },
      ]);
    });

    it('merges container ports by containerPort', () => {
      const out = smp(live, {
        spec: {
          containers: [
            { name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 9090 }] },
          ],
        },
      });
      expect((out.spec as { containers: { ports: unknown }[] }).containers[0].ports).to.deep.equal([
        { containerPort: 80, protocol: 'TCP', name: 'http' },
        { containerPort: 9090 },
      ]);
    });

    it('deletes a list element with $patch: delete', () => {
      const out = smp(live, { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } });
      expect(names((out.spec as Obj).containers)).to.deep.equal(['web']);
    });

    it('deletes an env var with $patch: delete and keeps the rest', () => {
      const out = smp(live, {
        spec: { containers: [{ name: 'web', env: [{ name: 'A', $patch: 'delete' }] }] },
      });
      expect((out.spec as { containers: { env: unknown }[] }).containers[0].env).to.deep.equal([
        { name: 'B', value: '2' },
      ]);
    });

    it('replaces the whole list when an element says $patch: replace', () => {
      const out = smp(live, { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } });
      expect((out.spec as Obj).containers).to.deep.equal([{ name: 'solo', image: 'x' }]);
    });

    it('replaces an atomic list such as args', () => {
      const out = smp(live, { spec: { containers: [{ name: 'web', args: ['--port', '8080'] }] } });
      expect((out.spec as { containers: { args: unknown }[] }).containers[0].args).to.deep.equal([
        '--port',
        '8080',
      ]);
    });

    it('replaces tolerations as a whole, having no patch strategy', () => {
      const out = smp(pod({ tolerations: [{ key: 'a', operator: 'Exists' }] }), {
        spec: { tolerations: [{ key: 'b', operator: 'Exists' }] },
      });
      expect((out.spec as Obj).tolerations).to.deep.equal([{ key: 'b', operator: 'Exists' }]);
    });

    it('merges hostAliases on ip and volumes on name', () => {
      const out = smp(
        pod({
          hostAliases: [{ ip: '10.0.0.1', hostnames: ['a'] }],
          volumes: [{ name: 'data', emptyDir: {} }],
        }),
        {
          spec: {
            hostAliases: [{ ip: '10.0.0.2', hostnames: ['b'] }],
            volumes: [{ name: 'cfg', configMap: { name: 'c' } }],
          },
        },
      );
      // New elements come first when no $setElementOrder says otherwise, as upstream.
      expect((out.spec as Obj).hostAliases).to.deep.equal([
        { ip: '10.0.0.2', hostnames: ['b'] },
        { ip: '10.0.0.1', hostnames: ['a'] },
      ]);
      expect(names((out.spec as Obj).volumes)).to.deep.equal(['cfg', 'data']);
    });

    it('puts a new element before the remaining live-only elements when there is no $setElementOrder, as upstream', () => {
      const out = smp(live, { spec: { containers: [{ name: 'new', image: 'x' }] } });
      expect(names((out.spec as Obj).containers)).to.deep.equal(['new', 'web', 'sidecar']);
    });

    it('merges status conditions by type', () => {
      const live = {
        kind: 'Pod',
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'PodScheduled', status: 'True' },
          ],
        },
      };
      const out = smp(live, { status: { conditions: [{ type: 'Ready', status: 'True' }] } });
      expect(out.status).to.deep.equal({
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      });
    });

    it('rejects a list element without its merge key', () => {
      const err = rejection(live, { spec: { containers: [{ image: 'x' }] } });
      expect(err.reason).to.equal('BadRequest');
      expect(err.message).to.contain('does not contain declared merge key: name');
    });

    it('rejects an unknown $patch directive', () => {
      expect(rejection(live, { spec: { containers: [{ name: 'web', $patch: 'frob' }] } }).message).to.contain(
        'unknown patch type "frob"',
      );
      expect(rejection(live, { spec: { $patch: 'frob' } }).message).to.contain('unknown patch type "frob"');
    });
  });

  describe('$setElementOrder', () => {
    const live = pod({ containers: ['a', 'b', 'c', 'd'].map((name) => ({ name, image: name })) });

    it('merges containers by name and keeps $setElementOrder order', () => {
      const out = smp(live, {
        spec: {
          '$setElementOrder/containers': [{ name: 'd' }, { name: 'c' }, { name: 'b' }, { name: 'a' }],
          containers: [{ name: 'c', image: 'c2' }],
        },
      });
      expect((out.spec as Obj).containers).to.deep.equal([
        { name: 'd', image: 'd' },
        { name: 'c', image: 'c2' },
        { name: 'b', image: 'b' },
        { name: 'a', image: 'a' },
      ]);
    });

    it('orders the listed items as given and keeps server-only items at their relative position', () => {
      const out = smp(live, {
        spec: {
          '$setElementOrder/containers': [{ name: 'd' }, { name: 'b' }],
          containers: [{ name: 'd', image: 'D' }],
        },
      });
      expect(names((out.spec as Obj).containers)).to.deep.equal(['a', 'c', 'd', 'b']);
    });

    it('places a new item where $setElementOrder puts it', () => {
      const out = smp(live, {
        spec: {
          '$setElementOrder/containers': [
            { name: 'a' },
            { name: 'new' },
            { name: 'b' },
            { name: 'c' },
            { name: 'd' },
          ],
          containers: [{ name: 'new', image: 'n' }],
        },
      });
      expect(names((out.spec as Obj).containers)).to.deep.equal(['a', 'new', 'b', 'c', 'd']);
    });

    it('reorders a list the patch does not otherwise touch', () => {
      const out = smp(live, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } });
      expect(names((out.spec as Obj).containers)).to.deep.equal(['b', 'a', 'c', 'd']);
    });

    it('orders a list of primitives', () => {
      const out = smp(pod({}, { finalizers: ['x', 'y'] }), {
        metadata: { '$setElementOrder/finalizers': ['z', 'y', 'x'], finalizers: ['z'] },
      });
      expect((out.metadata as Obj).finalizers).to.deep.equal(['z', 'y', 'x']);
    });

    it('rejects a patch list whose order contradicts $setElementOrder', () => {
      const err = rejection(live, {
        spec: {
          '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
          containers: [
            { name: 'b', image: 'B' },
            { name: 'a', image: 'A' },
          ],
        },
      });
      expect(err.reason).to.equal('BadRequest');
      expect(err.message).to.contain("doesn't match the $setElementOrder list");
    });
  });

  describe('lists of primitives', () => {
    const live = pod({}, { finalizers: ['a.io/one', 'b.io/two', 'c.io/three'] });

    it('adds finalizers as a set union', () => {
      const out = smp(live, { metadata: { finalizers: ['b.io/two', 'd.io/four'] } });
      expect((out.metadata as Obj).finalizers).to.deep.equal([
        'a.io/one',
        'b.io/two',
        'd.io/four',
        'c.io/three',
      ]);
    });

    it('removes finalizers listed in $deleteFromPrimitiveList', () => {
      const out = smp(live, {
        metadata: {
          '$setElementOrder/finalizers': ['a.io/one', 'c.io/three'],
          '$deleteFromPrimitiveList/finalizers': ['b.io/two'],
        },
      });
      expect((out.metadata as Obj).finalizers).to.deep.equal(['a.io/one', 'c.io/three']);
    });

    it('deletes nothing when the list to delete from is absent', () => {
      const out = smp(pod({}), { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } });
      expect(out.metadata).to.deep.equal({ name: 'p', namespace: 'default' });
    });

    it('merges node podCIDRs as a set', () => {
      const out = smp(
        { kind: 'Node', spec: { podCIDRs: ['10.0.0.0/24'] } },
        { spec: { podCIDRs: ['10.0.1.0/24'] } },
        'Node',
      );
      expect(out.spec).to.deep.equal({ podCIDRs: ['10.0.1.0/24', '10.0.0.0/24'] });
    });

    it('replaces node taints as a whole', () => {
      const out = smp(
        { kind: 'Node', spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } },
        { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } },
        'Node',
      );
      expect(out.spec).to.deep.equal({ taints: [{ key: 'b', effect: 'NoExecute' }] });
    });
  });

  describe('other kinds', () => {
    it('merges the containers of a Deployment pod template by name', () => {
      const deploy = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                { name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] },
                { name: 'log', image: 'fluent-bit' },
              ],
            },
          },
        },
      };
      const out = smp(
        deploy,
        { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }] } } } },
        'Deployment',
      );
      expect((out.spec as { template: { spec: unknown } }).template.spec).to.deep.equal({
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            env: [
              { name: 'B', value: '2' },
              { name: 'A', value: '1' },
            ],
          },
          { name: 'log', image: 'fluent-bit' },
        ],
      });
    });

    it('merges the containers of a ReplicaSet pod template by name', () => {
      const rs = {
        kind: 'ReplicaSet',
        spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } },
      };
      const out = smp(
        rs,
        { spec: { template: { spec: { containers: [{ name: 'b', image: 'x' }] } } } },
        'ReplicaSet',
      );
      expect(out.spec).to.deep.equal({
        template: { spec: { containers: [{ name: 'a' }, { name: 'b', image: 'x' }] } },
      });
    });

    it('merges service ports by port', () => {
      const svc = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
            { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
          ],
        },
      };
      const out = smp(
        svc,
        {
          spec: {
            ports: [
              { port: 443, targetPort: 9443 },
              { port: 9000, name: 'metrics' },
            ],
          },
        },
        'Service',
      );
      expect((out.spec as Obj).ports).to.deep.equal([
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 9443, protocol: 'TCP' },
        { port: 9000, name: 'metrics' },
      ]);
    });

    it('merges ownerReferences by uid on any kind', () => {
      const cm = {
        kind: 'ConfigMap',
        metadata: { ownerReferences: [{ uid: '1', name: 'a' }] },
        data: { k: 'v' },
      };
      const out = smp(cm, { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] } }, 'ConfigMap');
      expect((out.metadata as Obj).ownerReferences).to.deep.equal([
        { uid: '2', name: 'b' },
        { uid: '1', name: 'a' },
      ]);
    });

    it('replaces the lists of a kind it does not know, but still merges its finalizers', () => {
      const widget = {
        kind: 'Widget',
        metadata: { finalizers: ['a'] },
        spec: { containers: [{ name: 'x' }] },
      };
      const out = smp(
        widget,
        { metadata: { finalizers: ['b'] }, spec: { containers: [{ name: 'y' }] } },
        'Widget',
      );
      expect(out).to.deep.equal({
        kind: 'Widget',
        metadata: { finalizers: ['b', 'a'] },
        spec: { containers: [{ name: 'y' }] },
      });
    });
  });

  it('applies a 3-way patch computed by kubectl client-side apply', () => {
    const lastApplied = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        annotations: {},
        labels: { app: 'web', tier: 'frontend' },
        name: 'web',
        namespace: 'default',
      },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.25',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
                ports: [{ containerPort: 80 }],
              },
              { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', '3600'] },
            ],
          },
        },
      },
    };
    const live = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: 'u-1',
        resourceVersion: '7',
        generation: 1,
        labels: { app: 'web', tier: 'frontend', team: 'set-by-hand' },
        annotations: {
          'deployment.kubernetes.io/revision': '1',
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(lastApplied) + '\n',
        },
      },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.25',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                imagePullPolicy: 'IfNotPresent',
                terminationMessagePath: '/dev/termination-log',
              },
              {
                name: 'sidecar',
                image: 'busybox:1.36',
                args: ['sleep', '3600'],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
            dnsPolicy: 'ClusterFirst',
          },
        },
      },
      status: { replicas: 5, readyReplicas: 5 },
    };
    const newLastApplied = JSON.stringify({ note: 'the new configuration, abbreviated' }) + '\n';
    // What `kubectl apply` 1.32 sends for a new configuration that drops the `tier` label, the
    // sidecar and env B, adds a log-agent container first and bumps the web image.
    const patch = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': newLastApplied },
        labels: { tier: null },
      },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'log-agent' }, { name: 'web' }],
            containers: [
              { args: ['--config', '/etc/fb.conf'], image: 'fluent-bit:3.1', name: 'log-agent' },
              {
                '$setElementOrder/env': [{ name: 'A' }],
                env: [{ $patch: 'delete', name: 'B' }],
                image: 'nginx:1.27',
                name: 'web',
              },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    };
    const out = smp(live, patch, 'Deployment');
    expect(out).to.deep.equal({
      ...live,
      metadata: {
        ...live.metadata,
        labels: { app: 'web', team: 'set-by-hand' },
        annotations: {
          'deployment.kubernetes.io/revision': '1',
          'kubectl.kubernetes.io/last-applied-configuration': newLastApplied,
        },
      },
      spec: {
        ...live.spec,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'log-agent', image: 'fluent-bit:3.1', args: ['--config', '/etc/fb.conf'] },
              {
                name: 'web',
                image: 'nginx:1.27',
                env: [{ name: 'A', value: '1' }],
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                imagePullPolicy: 'IfNotPresent',
                terminationMessagePath: '/dev/termination-log',
              },
            ],
            restartPolicy: 'Always',
            dnsPolicy: 'ClusterFirst',
          },
        },
      },
    });
    expect(names((out.spec as { template: { spec: Obj } }).template.spec.containers)).to.deep.equal([
      'log-agent',
      'web',
    ]);
    expect(JSON.stringify(out)).to.not.contain('$');
  });

  it('leaves no directive in the result, even inside values new to the object', () => {
    const out = smp(pod({}), {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', $patch: 'delete' },
            ],
            '$setElementOrder/env': [{ name: 'X' }],
          },
        ],
        tolerations: [{ key: 'k', $patch: 'merge' }],
        nodeSelector: { $retainKeys: ['a'], a: '1' },
      },
    });
    expect(out.spec).to.deep.equal({
      containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }],
      tolerations: [{ key: 'k' }],
      nodeSelector: { a: '1' },
    });
  });

  it('rejects a patch that is not a JSON object', () => {
    const err = rejection(pod({}), [{ op: 'add' }]);
    expect(err.reason).to.equal('BadRequest');
    expect(err.code).to.equal(400);
  });

  it('mutates neither the target nor the patch', () => {
    const live = pod(
      { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }, { name: 'b' }] },
      { finalizers: ['f'] },
    );
    const patch = {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['f'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }] }],
      },
    };
    const liveBefore = JSON.parse(JSON.stringify(live));
    const patchBefore = JSON.parse(JSON.stringify(patch));
    const out = smp(live, patch);
    expect(live).to.deep.equal(liveBefore);
    expect(patch).to.deep.equal(patchBefore);
    expect(out.spec).to.deep.equal({ containers: [{ name: 'b' }, { name: 'a', env: [] }] });
  });
});
