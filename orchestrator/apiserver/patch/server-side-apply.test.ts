import { expect } from 'chai';
import { ApiError } from '../../api/errors.js';
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.js';
import { recordUpdateManager, serverSideApply } from './server-side-apply.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

interface Container {
  name: string;
  image?: string;
  [k: string]: unknown;
}

function deployment(
  opts: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: Container[] } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: opts.labels ?? { app: 'web' } },
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: opts.containers ?? [
            { name: 'web', image: opts.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] },
          ],
        },
      },
    },
  };
}

/** What the apiserver does around the engine on create: system metadata. */
function stored(obj: KubeObject, rv: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: rv, creationTimestamp: T0 } };
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

function spec(obj: KubeObject) {
  return obj.spec as { replicas?: number; template: { spec: { containers: Container[] } } };
}

function rejection(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('serverSideApply', () => {
  it('creates the object and records the applied fields as FieldsV1', () => {
    const out = serverSideApply(undefined, deployment({ replicas: 2 }), {
      manager: 'kubectl',
      force: false,
      now: T0,
    });
    expect(out.metadata.name).to.equal('web');
    expect(spec(out).replicas).to.equal(2);
    expect(out.metadata.managedFields).to.deep.equal([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('records a list of primitives as a set of v: values', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', finalizers: ['example.com/a'] },
      data: { k: 'v' },
    };
    const out = serverSideApply(undefined, cm, { manager: 'm', force: false, now: T0 });
    expect(entry(out, 'm')?.fieldsV1).to.deep.equal({
      'f:data': { 'f:k': {} },
      'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} } },
    });
  });

  it('changes a field when the same manager re-applies it', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment(), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const v2 = serverSideApply(v1, deployment({ image: 'nginx:1.27' }), {
      manager: 'kubectl',
      force: false,
      now: T1,
    });
    expect(spec(v2).template.spec.containers[0].image).to.equal('nginx:1.27');
    expect(v2.metadata.uid).to.equal('u-1');
    expect(v2.metadata.resourceVersion).to.equal('1');
    expect(v2.metadata.managedFields).to.have.length(1);
    expect(entry(v2, 'kubectl')?.fieldsV1).to.deep.equal(entry(v1, 'kubectl')?.fieldsV1);
  });

  it('removes a field that the manager applied before and no longer applies', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'fe' } }), {
        manager: 'kubectl',
        force: false,
        now: T0,
      }),
      '1',
    );
    const config = deployment({
      containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }],
    });
    const v2 = serverSideApply(v1, config, { manager: 'kubectl', force: false, now: T1 });
    expect(v2.metadata.labels).to.deep.equal({ app: 'web' });
    expect(spec(v2)).to.not.have.property('replicas');
    const fields = entry(v2, 'kubectl')?.fieldsV1 as Record<string, Record<string, unknown>>;
    expect(fields['f:spec']).to.not.have.property('f:replicas');
  });

  it('removes a container the manager no longer applies and drops a label map left empty', () => {
    const two = deployment({
      labels: { tier: 'fe' },
      containers: [
        { name: 'web', image: 'nginx' },
        { name: 'sidecar', image: 'busybox', args: ['sleep'] },
      ],
    });
    const v1 = stored(serverSideApply(undefined, two, { manager: 'kubectl', force: false, now: T0 }), '1');
    const one: KubeObject = { ...deployment({ containers: [{ name: 'web', image: 'nginx' }] }) };
    one.metadata = { name: 'web', namespace: 'default' };
    const v2 = serverSideApply(v1, one, { manager: 'kubectl', force: false, now: T1 });
    expect(spec(v2).template.spec.containers).to.deep.equal([{ name: 'web', image: 'nginx' }]);
    expect(v2.metadata).to.not.have.property('labels');
  });

  it('keeps a field the manager stopped applying when another manager owns it', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ labels: { app: 'web', tier: 'fe' } }), {
        manager: 'kubectl',
        force: false,
        now: T0,
      }),
      '1',
    );
    const both = serverSideApply(v1, deployment({ labels: { tier: 'fe' } }), {
      manager: 'ops',
      force: false,
      now: T1,
    });
    const v3 = serverSideApply(both, deployment({ labels: { app: 'web' } }), {
      manager: 'kubectl',
      force: false,
      now: T2,
    });
    expect(v3.metadata.labels).to.deep.equal({ app: 'web', tier: 'fe' });
  });

  it('keeps containers and fields that other managers added to a keyed list', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment(), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const injected = structuredClone(v1);
    spec(injected).template.spec.containers.push({ name: 'proxy', image: 'envoy' });
    spec(injected).template.spec.containers[0].imagePullPolicy = 'Always';
    const v2 = recordUpdateManager(v1, injected, 'injector', 'Update', T1);
    const v3 = serverSideApply(v2, deployment({ image: 'nginx:1.27' }), {
      manager: 'kubectl',
      force: false,
      now: T2,
    });
    expect(spec(v3).template.spec.containers).to.deep.equal([
      { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], imagePullPolicy: 'Always' },
      { name: 'proxy', image: 'envoy' },
    ]);
  });

  it('answers 409 Conflict naming the manager and the field when another manager owns a changed field', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const scaled = structuredClone(v1);
    (scaled.spec as { replicas: number }).replicas = 5;
    const v2 = recordUpdateManager(v1, scaled, 'hpa', 'Update', T1);
    const err = rejection(() =>
      serverSideApply(v2, deployment({ replicas: 3 }), { manager: 'kubectl', force: false, now: T2 }),
    );
    expect(err.code).to.equal(409);
    expect(err.reason).to.equal('Conflict');
    expect(err.message).to.equal(
      `Apply failed with 1 conflict: conflict with "hpa" using apps/v1 at ${T1}: .spec.replicas`,
    );
    expect(err.details?.causes).to.deep.equal([
      {
        reason: 'FieldManagerConflict',
        message: `conflict with "hpa" using apps/v1 at ${T1}`,
        field: '.spec.replicas',
      },
    ]);
  });

  it('names the list element in the path of a conflict between two appliers', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment(), { manager: 'alice', force: false, now: T0 }),
      '1',
    );
    const err = rejection(() =>
      serverSideApply(v1, deployment({ image: 'nginx:1.27' }), { manager: 'bob', force: false, now: T1 }),
    );
    expect(err.message).to.equal(
      'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="web"].image',
    );
  });

  it('lists every conflict, grouped by manager', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 1 }), { manager: 'alice', force: false, now: T0 }),
      '1',
    );
    const err = rejection(() =>
      serverSideApply(v1, deployment({ replicas: 2, image: 'x' }), { manager: 'bob', force: false, now: T1 }),
    );
    expect(err.message).to.equal(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(err.details?.causes).to.have.length(2);
  });

  it('shares ownership without conflict when applying the same value', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'alice', force: false, now: T0 }),
      '1',
    );
    const v2 = serverSideApply(v1, deployment({ replicas: 2 }), { manager: 'bob', force: false, now: T1 });
    expect(v2.metadata.managedFields?.map((e) => e.manager)).to.deep.equal(['alice', 'bob']);
    expect(entry(v2, 'alice')?.fieldsV1).to.deep.equal(entry(v2, 'bob')?.fieldsV1);
  });

  it('takes ownership of conflicting fields with force', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const scaled = structuredClone(v1);
    (scaled.spec as { replicas: number }).replicas = 5;
    const v2 = recordUpdateManager(v1, scaled, 'hpa', 'Update', T1);
    expect(entry(v2, 'hpa')?.fieldsV1).to.deep.equal({ 'f:spec': { 'f:replicas': {} } });
    const v3 = serverSideApply(v2, deployment({ replicas: 3 }), { manager: 'kubectl', force: true, now: T2 });
    expect(spec(v3).replicas).to.equal(3);
    expect(entry(v3, 'hpa')).to.equal(undefined);
    const fields = entry(v3, 'kubectl')?.fieldsV1 as Record<string, Record<string, unknown>>;
    expect(fields['f:spec']).to.have.property('f:replicas');
  });

  it('ignores status and system metadata in the applied configuration', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment(), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const withStatus = { ...v1, status: { replicas: 7 } };
    const config = { ...deployment(), status: { replicas: 99 } };
    config.metadata = { ...config.metadata, uid: 'other', resourceVersion: '1' };
    const out = serverSideApply(withStatus, config, { manager: 'kubectl', force: false, now: T1 });
    expect(out.status).to.deep.equal({ replicas: 7 });
    expect(out.metadata.uid).to.equal('u-1');
    expect(JSON.stringify(entry(out, 'kubectl')?.fieldsV1)).to.not.contain('status');
  });

  it('keeps the time of an entry whose fields did not change', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment(), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const v2 = serverSideApply(v1, deployment(), { manager: 'kubectl', force: false, now: T1 });
    expect(entry(v2, 'kubectl')?.time).to.equal(T0);
  });

  it('rejects a configuration carrying managedFields, or of another kind', () => {
    const withManaged = deployment();
    withManaged.metadata.managedFields = [];
    expect(
      rejection(() => serverSideApply(undefined, withManaged, { manager: 'm', force: false, now: T0 }))
        .message,
    ).to.equal('metadata.managedFields must be nil');
    const live = stored(deployment(), '1');
    const err = rejection(() =>
      serverSideApply(live, { ...deployment(), kind: 'ReplicaSet' }, { manager: 'm', force: false, now: T0 }),
    );
    expect(err.reason).to.equal('BadRequest');
  });

  it('mutates neither the live object nor the configuration', () => {
    const v1 = stored(
      serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: T0 }),
      '1',
    );
    const config = deployment({ image: 'x' });
    const liveBefore = structuredClone(v1);
    const configBefore = structuredClone(config);
    serverSideApply(v1, config, { manager: 'kubectl', force: false, now: T1 });
    expect(v1).to.deep.equal(liveBefore);
    expect(config).to.deep.equal(configBefore);
  });
});

describe('recordUpdateManager', () => {
  it('records every field of a created object for its manager', () => {
    const created = recordUpdateManager(
      undefined,
      stored(deployment({ replicas: 1 }), '1'),
      'kubectl-create',
      'Update',
      T0,
    );
    const e = entry(created, 'kubectl-create');
    expect(e).to.include({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0 });
    expect(e?.fieldsType).to.equal('FieldsV1');
    expect((e?.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']).to.have.property('f:replicas');
    expect(JSON.stringify(e?.fieldsV1)).to.not.contain('f:uid');
  });

  it('moves changed fields to the updating manager and drops removed fields from every manager', () => {
    const v1 = recordUpdateManager(
      undefined,
      stored(deployment({ replicas: 1, labels: { app: 'web', tier: 'fe' } }), '1'),
      'kubectl-create',
      'Update',
      T0,
    );
    const edited = structuredClone(v1);
    spec(edited).template.spec.containers[0].image = 'nginx:1.27';
    delete (edited.metadata.labels as Record<string, string>).tier;
    const v2 = recordUpdateManager(v1, edited, 'kubectl-edit', 'Update', T1);
    expect(entry(v2, 'kubectl-edit')?.fieldsV1).to.deep.equal({
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } },
    });
    const creator = JSON.stringify(entry(v2, 'kubectl-create')?.fieldsV1);
    expect(creator).to.not.contain('f:image');
    expect(creator).to.not.contain('f:tier');
    expect(creator).to.contain('f:replicas');
    expect(entry(v2, 'kubectl-create')?.time).to.equal(T0);
  });

  it('leaves managedFields alone when nothing changed', () => {
    const v1 = recordUpdateManager(undefined, stored(deployment(), '1'), 'a', 'Update', T0);
    const v2 = recordUpdateManager(v1, structuredClone(v1), 'b', 'Update', T1);
    expect(v2.metadata.managedFields).to.deep.equal(v1.metadata.managedFields);
  });
});
