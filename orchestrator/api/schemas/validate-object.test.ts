import { expect } from 'chai';
import { ApiError, isApiError } from '../errors.js';
import { causesOf, container, deployment, expectCause, expectValid, pod } from './support.test.js';
import { validateObject } from './validate-object.js';

describe('validateObject', () => {
  describe('the error', () => {
    it('is an ApiError Invalid (422) named after kind, group and object name', () => {
      let caught: unknown;
      try {
        validateObject(deployment({ replicas: -1 }), { kind: 'Deployment', fieldValidation: 'Strict' });
      } catch (e) {
        caught = e;
      }
      expect(isApiError(caught, 'Invalid')).to.equal(true);
      const err = caught as ApiError;
      expect(err.code).to.equal(422);
      expect(err.details).to.include({ kind: 'Deployment', group: 'apps', name: 'web' });
      expect(err.message).to.equal(
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      );
    });

    it('reports every problem of the object together in one error', () => {
      const bad = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'Bad_Name' },
        spec: {
          replicas: -1,
          foo: true,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              restartPolicy: 'Sometimes',
              containers: [container({ image: '', ports: [{ containerPort: '80' }] })],
            },
          },
        },
      };
      const fields = causesOf(bad, 'Deployment').map((c) => c.field);
      expect(fields).to.have.members([
        'metadata.name',
        'spec.replicas',
        'spec.foo',
        'spec.template.spec.restartPolicy',
        'spec.template.spec.containers[0].image',
        'spec.template.spec.containers[0].ports[0].containerPort',
      ]);
    });

    it('words the causes as Kubernetes does', () => {
      const causes = causesOf(pod({ restartPolicy: 'Sometimes' }, { name: 'Bad_Name' }), 'Pod');
      expect(causes).to.deep.include({
        reason: 'FieldValueNotSupported',
        field: 'spec.restartPolicy',
        message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      });
      expect(causes).to.deep.include({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message:
          'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, ' +
          "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
          "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      });
    });
  });

  describe('JSON types', () => {
    it('reports a string where an int32 is expected, naming field and type', () => {
      const causes = causesOf(deployment({ replicas: 'three' }), 'Deployment');
      expect(causes).to.deep.equal([
        {
          reason: 'FieldValueTypeInvalid',
          field: 'spec.replicas',
          message: 'Invalid value: "three": must be of type int32',
        },
      ]);
    });

    it('reports non-integers and out-of-range numbers as not int32', () => {
      expectCause(deployment({ replicas: 1.5 }), 'Deployment', 'spec.replicas', 'must be of type int32');
      expectCause(deployment({ replicas: 2 ** 31 }), 'Deployment', 'spec.replicas', 'must be of type int32');
    });

    it('reports objects, arrays, booleans and strings of the wrong type', () => {
      expectCause(pod({ containers: {} }), 'Pod', 'spec.containers', 'must be of type array');
      expectCause(pod({ hostNetwork: 'yes' }), 'Pod', 'spec.hostNetwork', 'must be of type boolean');
      expectCause(pod({ nodeName: 7 }), 'Pod', 'spec.nodeName', 'Invalid value: 7: must be of type string');
      expectCause(pod({ affinity: [] }), 'Pod', 'spec.affinity', 'must be of type object');
    });

    it('addresses map entries by key, as metadata.labels[app]', () => {
      expectCause(
        pod({}, { labels: { enabled: true } }),
        'Pod',
        'metadata.labels[enabled]',
        'must be of type string',
      );
    });

    it('reports a malformed quantity', () => {
      const c = container({ resources: { limits: { cpu: 'lots' } } });
      expectCause(
        pod({ containers: [c] }),
        'Pod',
        'spec.containers[0].resources.limits[cpu]',
        'quantities must match',
      );
    });

    it('rejects a body that is not an object', () => {
      expect(causesOf('hello', 'Pod')[0]?.message).to.equal('Invalid value: "hello": must be of type object');
      expect(causesOf(null, 'Pod')[0]?.message).to.equal('Invalid value: null: must be of type object');
    });

    it('treats null as absent, as Go decoding does, and drops it from the result', () => {
      const obj = expectValid(pod({ nodeName: null }, { creationTimestamp: null }), 'Pod');
      expect(obj.metadata).to.not.have.property('creationTimestamp');
      expect(obj.spec).to.not.have.property('nodeName');
    });

    it('does not also call the fields under a wrongly typed value missing', () => {
      const causes = causesOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' }, 'ConfigMap');
      expect(causes.map((c) => c.field)).to.deep.equal(['metadata']);
    });

    it('reports a null required field as Required value', () => {
      expectCause(
        pod({ containers: [{ name: null, image: 'x' }] }),
        'Pod',
        'spec.containers[0].name',
        'Required value',
      );
    });
  });

  describe('unknown fields', () => {
    const withUnknown = () => {
      const d = deployment({ foo: 1 });
      return { ...d, metadata: { ...d.metadata, colour: 'red' }, extra: true };
    };

    it('are causes under Strict, with the path in field and in the message', () => {
      const causes = causesOf(withUnknown(), 'Deployment', 'Strict');
      expect(causes.map((c) => [c.field, c.message])).to.have.deep.members([
        ['spec.foo', 'unknown field "spec.foo"'],
        ['metadata.colour', 'unknown field "metadata.colour"'],
        ['extra', 'unknown field "extra"'],
      ]);
    });

    it('are found inside arrays with the index in the path', () => {
      const p = pod({ containers: [container(), container({ name: 'side', colour: 'red' })] });
      expectCause(p, 'Pod', 'spec.containers[1].colour', 'unknown field "spec.containers[1].colour"');
    });

    it('are silently dropped under Ignore', () => {
      const { object, warnings } = validateObject(withUnknown(), {
        kind: 'Deployment',
        fieldValidation: 'Ignore',
      });
      expect(warnings).to.deep.equal([]);
      expect(object).to.not.have.property('extra');
      expect(object.metadata).to.not.have.property('colour');
      expect(object.spec).to.not.have.property('foo');
      expect(object.spec).to.have.property('selector');
    });

    it('are dropped and reported as warnings under Warn', () => {
      const { object, warnings } = validateObject(withUnknown(), {
        kind: 'Deployment',
        fieldValidation: 'Warn',
      });
      expect(warnings).to.have.members([
        'unknown field "spec.foo"',
        'unknown field "metadata.colour"',
        'unknown field "extra"',
      ]);
      expect(object.spec).to.not.have.property('foo');
    });

    it('do not hide the other problems under Ignore', () => {
      expect(
        causesOf(deployment({ foo: 1, replicas: -1 }), 'Deployment', 'Ignore').map((c) => c.field),
      ).to.deep.equal(['spec.replicas']);
    });

    it('may appear anywhere inside status, which is not checked strictly', () => {
      expectValid({ ...pod(), status: { phase: 'Running', somethingNew: { a: 1 } } }, 'Pod');
    });

    it('may appear inside opaque objects such as securityContext', () => {
      expectValid(pod({ securityContext: { runAsUser: 1000, anythingAtAll: true } }), 'Pod');
    });
  });

  describe('type metadata', () => {
    it('fills in apiVersion, kind and metadata that the body left out', () => {
      const { object } = validateObject(
        { metadata: { name: 'cm' }, data: { a: 'b' } },
        { kind: 'ConfigMap', fieldValidation: 'Strict' },
      );
      expect(object).to.include({ apiVersion: 'v1', kind: 'ConfigMap' });
    });

    it('rejects a kind that differs from the addressed one', () => {
      expectCause(
        { ...pod(), kind: 'Service' },
        'Pod',
        'kind',
        'Unsupported value: "Service": supported values: "Pod"',
      );
    });

    it('rejects an apiVersion the kind is not served at', () => {
      expectCause(
        { ...deployment(), apiVersion: 'apps/v1beta1' },
        'Deployment',
        'apiVersion',
        'supported values: "apps/v1"',
      );
    });

    it('checks only metadata of a kind without schema', () => {
      expectValid(
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { x: 1 } },
        'Widget',
      );
      expectCause(
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} },
        'Widget',
        'metadata.name',
        'Required',
      );
    });
  });

  it('never modifies its input', () => {
    const input = { ...deployment({ foo: 1 }), metadata: { name: 'web', creationTimestamp: null } };
    const before = structuredClone(input);
    const { object } = validateObject(input, { kind: 'Deployment', fieldValidation: 'Ignore' });
    expect(input).to.deep.equal(before);
    expect(object.metadata).to.not.equal(input.metadata);
  });
});
