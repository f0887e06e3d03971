import { expect } from 'chai';
import { isApiError } from '../errors.js';
import { fieldValue, fieldsFor, parseFieldSelector } from './field-selector.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isApiError(e, 'BadRequest')) return e.message;
    throw e;
  }
  throw new Error('expected a BadRequest');
}

const runningPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-1', schedulerName: 'default-scheduler', containers: [] },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }] },
};

const pendingPod = {
  ...runningPod,
  metadata: { name: 'web-2', namespace: 'default' },
  spec: { containers: [] },
  status: {},
};

describe('field selectors', () => {
  describe('parseFieldSelector', () => {
    it('matches = and == by dotted path', () => {
      expect(parseFieldSelector('metadata.name=web-1').matches(runningPod)).to.equal(true);
      expect(parseFieldSelector('spec.nodeName==node-1').matches(runningPod)).to.equal(true);
      expect(parseFieldSelector('status.phase=Pending').matches(runningPod)).to.equal(false);
    });

    it('matches !=', () => {
      expect(parseFieldSelector('status.phase!=Succeeded').matches(runningPod)).to.equal(true);
      expect(parseFieldSelector('status.phase!=Running').matches(runningPod)).to.equal(false);
    });

    it('ANDs comma-joined terms', () => {
      expect(
        parseFieldSelector('metadata.namespace=default,status.phase=Running').matches(runningPod),
      ).to.equal(true);
      expect(
        parseFieldSelector('metadata.namespace=default,status.phase=Failed').matches(runningPod),
      ).to.equal(false);
    });

    it('compares a missing field as the empty string', () => {
      expect(parseFieldSelector('spec.nodeName=').matches(pendingPod)).to.equal(true);
      expect(parseFieldSelector('spec.nodeName!=').matches(pendingPod)).to.equal(false);
      expect(parseFieldSelector('spec.nodeName!=').matches(runningPod)).to.equal(true);
    });

    it('selects everything when empty', () => {
      const all = parseFieldSelector('');
      expect(all.matchesEverything).to.equal(true);
      expect(all.matches(pendingPod)).to.equal(true);
    });

    it('unescapes values and prints them escaped again', () => {
      const sel = parseFieldSelector('metadata.name=a\\,b\\=c');
      expect(sel.matches({ metadata: { name: 'a,b=c' } })).to.equal(true);
      expect(sel.toString()).to.equal('metadata.name=a\\,b\\=c');
    });

    it('prints terms sorted, with == normalised to =', () => {
      expect(parseFieldSelector('status.phase!=Failed,metadata.name==x').toString()).to.equal(
        'metadata.name=x,status.phase!=Failed',
      );
    });

    it('reports the value a selector pins a field to', () => {
      const sel = parseFieldSelector('spec.nodeName=node-1,status.phase!=Failed');
      expect(sel.exactValue('spec.nodeName')).to.equal('node-1');
      expect(sel.exactValue('status.phase')).to.equal(undefined);
    });

    describe('errors', () => {
      it('reject a term without operator', () => {
        expect(badRequestMessage(() => parseFieldSelector('metadata.name'))).to.equal(
          "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
        );
      });

      it('reject unescaped and badly escaped values', () => {
        expect(badRequestMessage(() => parseFieldSelector('metadata.name=a=b'))).to.contain(
          'unescaped character in value: =',
        );
        expect(badRequestMessage(() => parseFieldSelector('metadata.name=a\\x'))).to.contain(
          'invalid escape sequence: \\x',
        );
      });

      it('reject a field the resource does not support', () => {
        expect(badRequestMessage(() => parseFieldSelector('foo=bar', 'pods'))).to.equal(
          'field label not supported: foo',
        );
        expect(badRequestMessage(() => parseFieldSelector('spec.nodeName=a', 'configmaps'))).to.equal(
          'field label not supported: spec.nodeName',
        );
      });

      it('accept any field when no resource is given', () => {
        expect(() => parseFieldSelector('foo=bar')).to.not.throw();
      });
    });
  });

  describe('fieldsFor', () => {
    it('permits metadata.name and metadata.namespace on every resource', () => {
      for (const r of ['configmaps', 'deployments', 'leases', 'somethingelse']) {
        expect(fieldsFor(r)).to.include.members(['metadata.name', 'metadata.namespace']);
      }
      expect(fieldsFor('configmaps')).to.have.length(2);
    });

    it('lists the pod fields Kubernetes permits', () => {
      expect(fieldsFor('pods')).to.include.members([
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ]);
    });

    it('lists the event and node fields Kubernetes permits', () => {
      expect(fieldsFor('events')).to.include.members([
        'involvedObject.kind',
        'involvedObject.name',
        'involvedObject.namespace',
        'involvedObject.uid',
        'reason',
        'source',
        'type',
        'reportingComponent',
      ]);
      expect(fieldsFor('nodes')).to.include('spec.unschedulable');
    });
  });

  describe('fieldValue', () => {
    it('reads event fields', () => {
      const event = {
        involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
        reason: 'Scheduled',
        type: 'Normal',
        reportingComponent: 'default-scheduler',
      };
      const sel = parseFieldSelector(
        'involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u1,type=Normal,reason=Scheduled',
        'events',
      );
      expect(sel.matches(event)).to.equal(true);
      expect(fieldValue(event, 'source')).to.equal('default-scheduler');
      expect(fieldValue({ ...event, source: { component: 'kubelet' } }, 'source')).to.equal('kubelet');
    });

    it('reads spec.unschedulable as false when absent, as Kubernetes does', () => {
      expect(parseFieldSelector('spec.unschedulable=false', 'nodes').matches({ spec: {} })).to.equal(true);
      expect(
        parseFieldSelector('spec.unschedulable=true', 'nodes').matches({ spec: { unschedulable: true } }),
      ).to.equal(true);
    });

    it('reads status.podIP from podIPs when podIP is absent', () => {
      expect(fieldValue(runningPod, 'status.podIP')).to.equal('10.0.0.7');
    });

    it('reads a non-scalar or missing field as the empty string', () => {
      expect(fieldValue(runningPod, 'spec.containers')).to.equal('');
      expect(fieldValue(runningPod, 'spec.nothing.here')).to.equal('');
      expect(fieldValue(null, 'metadata.name')).to.equal('');
    });
  });
});
