import { expect } from 'chai';
import { causesOf, expectCause, expectValid, pod } from './support.test.js';

const cm = (meta: object) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta });

describe('object metadata', () => {
  describe('name', () => {
    it('is required unless generateName is given', () => {
      expectCause(cm({}), 'ConfigMap', 'metadata.name', 'Required value: name or generateName is required');
      expectValid(cm({ generateName: 'settings-' }), 'ConfigMap');
    });

    it('must be a DNS-1123 subdomain for most kinds', () => {
      expectValid(cm({ name: 'app.settings-1' }), 'ConfigMap');
      expectCause(
        cm({ name: 'Bad_Name' }),
        'ConfigMap',
        'metadata.name',
        'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
      );
    });

    it('checks generateName as a prefix', () => {
      expectCause(
        cm({ generateName: 'Bad-' }),
        'ConfigMap',
        'metadata.generateName',
        'a lowercase RFC 1123 subdomain',
      );
    });
  });

  describe('namespace', () => {
    it('must be a DNS-1123 label', () => {
      expectValid(cm({ name: 'a', namespace: 'team-1' }), 'ConfigMap');
      expectCause(
        cm({ name: 'a', namespace: 'team.one' }),
        'ConfigMap',
        'metadata.namespace',
        'a lowercase RFC 1123 label',
      );
    });
  });

  describe('labels', () => {
    it('accept qualified keys and label values', () => {
      expectValid(cm({ name: 'a', labels: { 'app.kubernetes.io/name': 'web', tier: '' } }), 'ConfigMap');
    });

    it('reject a bad key and a bad value at metadata.labels', () => {
      const causes = causesOf(cm({ name: 'a', labels: { 'bad key': 'ok', good: 'bad value' } }), 'ConfigMap');
      expect(causes.map((c) => c.field)).to.deep.equal(['metadata.labels', 'metadata.labels']);
      expect(causes[0]?.message).to.match(/^Invalid value: "bad key": name part must consist/);
      expect(causes[1]?.message).to.match(
        /^Invalid value: "bad value": a valid label must be an empty string/,
      );
    });

    it('reject values longer than 63 characters', () => {
      expectCause(
        cm({ name: 'a', labels: { a: 'x'.repeat(64) } }),
        'ConfigMap',
        'metadata.labels',
        'must be no more than 63 characters',
      );
    });
  });

  describe('annotations', () => {
    it('accept qualified keys of any case and any value', () => {
      expectValid(cm({ name: 'a', annotations: { 'Example.COM/Note': 'any text at all' } }), 'ConfigMap');
    });

    it('reject an unqualified key', () => {
      expectCause(
        cm({ name: 'a', annotations: { 'a b': 'x' } }),
        'ConfigMap',
        'metadata.annotations',
        'Invalid value: "a b"',
      );
    });

    it('reject more than 256 KiB in total', () => {
      const big = cm({ name: 'a', annotations: { note: 'x'.repeat(256 * 1024) } });
      expectCause(big, 'ConfigMap', 'metadata.annotations', 'Too long: may not be more than 262144 bytes');
    });
  });

  describe('ownerReferences and finalizers', () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true };

    it('accept complete references and qualified finalizers', () => {
      expectValid(pod({}, { ownerReferences: [owner], finalizers: ['example.com/cleanup'] }), 'Pod');
    });

    it('reject references missing uid or name', () => {
      const p = pod({}, { ownerReferences: [{ ...owner, uid: '', name: '' }] });
      expectCause(p, 'Pod', 'metadata.ownerReferences[0].uid', 'uid must not be empty');
      expectCause(p, 'Pod', 'metadata.ownerReferences[0].name', 'name must not be empty');
    });

    it('reject two controllers', () => {
      const p = pod({}, { ownerReferences: [owner, { ...owner, name: 'web-2', uid: 'u2' }] });
      expectCause(p, 'Pod', 'metadata.ownerReferences', 'Only one reference can have Controller set to true');
    });

    it('reject a finalizer that is not a qualified name', () => {
      expectCause(
        pod({}, { finalizers: ['bad finalizer'] }),
        'Pod',
        'metadata.finalizers[0]',
        'name part must consist',
      );
    });
  });

  it('accepts the server-set fields of a stored object', () => {
    expectValid(
      cm({
        name: 'a',
        namespace: 'default',
        uid: '6f1c',
        resourceVersion: '42',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        selfLink: '/api/v1/namespaces/default/configmaps/a',
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2024-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': {} },
          },
        ],
      }),
      'ConfigMap',
    );
  });
});
