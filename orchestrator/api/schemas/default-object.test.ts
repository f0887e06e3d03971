import { expect } from 'chai';
import type { KubeObject } from '../types.js';
import { defaultObject, defaultPullPolicy } from './default-object.js';
import { container, deployment, pod, service } from './support.test.js';
import { validateObject } from './validate-object.js';

type Json = Record<string, unknown>;
const spec = (o: KubeObject) => o.spec as Json;
const containers = (podSpec: Json) => podSpec.containers as Json[];

describe('defaultObject', () => {
  describe('Pod', () => {
    const defaulted = (p: object) => defaultObject(p as KubeObject);

    it('fills in the pod spec defaults', () => {
      expect(spec(defaulted(pod()))).to.deep.include({
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        enableServiceLinks: true,
        securityContext: {},
        priority: 0,
      });
    });

    it('keeps values that are already set', () => {
      const s = spec(
        defaulted(
          pod({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false }),
        ),
      );
      expect(s).to.deep.include({
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
      });
    });

    it('adds the not-ready and unreachable NoExecute tolerations for 300 seconds', () => {
      expect(spec(defaulted(pod())).tolerations).to.deep.equal([
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ]);
    });

    it('does not add a default toleration the pod already has, and keeps the others', () => {
      const own = {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 5,
      };
      const other = { key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' };
      const tolerations = spec(defaulted(pod({ tolerations: [other, own] }))).tolerations as Json[];
      expect(tolerations.map((t) => t.key)).to.deep.equal([
        'dedicated',
        'node.kubernetes.io/unreachable',
        'node.kubernetes.io/not-ready',
      ]);
      expect(tolerations[1]).to.deep.equal(own);
    });

    it('adds no toleration when one tolerates every taint', () => {
      expect(spec(defaulted(pod({ tolerations: [{ operator: 'Exists' }] }))).tolerations).to.deep.equal([
        { operator: 'Exists' },
      ]);
    });

    it('defaults containers: pull policy, termination message, port protocol', () => {
      const c = containers(
        spec(defaulted(pod({ containers: [container({ ports: [{ containerPort: 80 }] })] }))),
      )[0];
      expect(c).to.deep.include({
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      });
    });

    it('defaults probe timings and the HTTP scheme', () => {
      const probed = container({
        livenessProbe: { httpGet: { port: 8080 } },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 3 },
      });
      const c = containers(spec(defaulted(pod({ containers: [probed] }))))[0] as Json;
      expect(c.livenessProbe).to.deep.equal({
        httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      });
      expect(c.readinessProbe).to.deep.include({ periodSeconds: 3, timeoutSeconds: 1 });
    });

    it('copies limits into missing requests', () => {
      const limited = container({
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
      });
      const c = containers(spec(defaulted(pod({ containers: [limited] }))))[0] as Json;
      expect(c.resources).to.deep.equal({
        limits: { cpu: '1', memory: '1Gi' },
        requests: { cpu: '500m', memory: '1Gi' },
      });
    });

    it('gives volumes without a source an emptyDir and mode 0644 to configMap volumes', () => {
      const s = spec(defaulted(pod({ volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }] })));
      expect(s.volumes).to.deep.equal([
        { name: 'a', emptyDir: {} },
        { name: 'b', configMap: { name: 'cm', defaultMode: 0o644 } },
      ]);
    });

    it('is idempotent', () => {
      const once = defaulted(pod({ containers: [container({ resources: { limits: { cpu: '1' } } })] }));
      expect(defaultObject(once)).to.deep.equal(once);
    });

    it('produces an object that still passes Strict validation', () => {
      const full = defaulted(pod({ containers: [container({ livenessProbe: { httpGet: { port: 80 } } })] }));
      expect(() => validateObject(full, { kind: 'Pod', fieldValidation: 'Strict' })).to.not.throw();
    });
  });

  describe('defaultPullPolicy', () => {
    it('is Always for :latest and for no tag', () => {
      expect(defaultPullPolicy('nginx')).to.equal('Always');
      expect(defaultPullPolicy('nginx:latest')).to.equal('Always');
      expect(defaultPullPolicy('registry:5000/team/app')).to.equal('Always');
    });

    it('is IfNotPresent for other tags and digests', () => {
      expect(defaultPullPolicy('nginx:1.27')).to.equal('IfNotPresent');
      expect(defaultPullPolicy('registry:5000/team/app:v2')).to.equal('IfNotPresent');
      expect(defaultPullPolicy('nginx@sha256:0123abcd')).to.equal('IfNotPresent');
    });
  });

  describe('Deployment', () => {
    it('defaults replicas, strategy, history and deadline', () => {
      expect(spec(defaultObject(deployment() as KubeObject))).to.deep.include({
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      });
    });

    it('keeps a given rolling update parameter and fills the other', () => {
      const d = defaultObject(deployment({ strategy: { rollingUpdate: { maxSurge: 0 } } }) as KubeObject);
      expect(spec(d).strategy).to.deep.equal({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' },
      });
    });

    it('gives Recreate no rollingUpdate', () => {
      const d = defaultObject(deployment({ strategy: { type: 'Recreate' } }) as KubeObject);
      expect(spec(d).strategy).to.deep.equal({ type: 'Recreate' });
    });

    it('applies pod spec defaults to the template but not the pod-only ones', () => {
      const template = spec(defaultObject(deployment() as KubeObject)).template as Json;
      const podSpec = template.spec as Json;
      expect(podSpec).to.deep.include({
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
      });
      expect(containers(podSpec)[0]).to.deep.include({ imagePullPolicy: 'IfNotPresent' });
      expect(podSpec).to.not.have.property('tolerations');
      expect(podSpec).to.not.have.property('enableServiceLinks');
    });
  });

  describe('ReplicaSet', () => {
    it('defaults replicas to 1 and the template pod spec', () => {
      const rs = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web-1' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [container()] } } },
      };
      const s = spec(defaultObject(rs));
      expect(s.replicas).to.equal(1);
      expect(((s.template as Json).spec as Json).restartPolicy).to.equal('Always');
    });
  });

  describe('Service', () => {
    it('defaults type, affinity, protocol, targetPort, traffic policy and IPv4 single stack', () => {
      expect(spec(defaultObject(service() as KubeObject))).to.deep.equal({
        selector: { app: 'web' },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      });
    });

    it('defaults externalTrafficPolicy only for NodePort and LoadBalancer', () => {
      expect(spec(defaultObject(service({ type: 'NodePort' }) as KubeObject)).externalTrafficPolicy).to.equal(
        'Cluster',
      );
      const lb = spec(defaultObject(service({ type: 'LoadBalancer' }) as KubeObject));
      expect(lb).to.include({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
      expect(spec(defaultObject(service() as KubeObject))).to.not.have.property('externalTrafficPolicy');
    });

    it('keeps a named targetPort', () => {
      const s = spec(defaultObject(service({ ports: [{ port: 80, targetPort: 'http' }] }) as KubeObject));
      expect(s.ports).to.deep.equal([{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
    });

    it('gives ExternalName services no IP families', () => {
      const s = spec(
        defaultObject(service({ type: 'ExternalName', externalName: 'db.example.com' }) as KubeObject),
      );
      expect(s).to.not.have.property('ipFamilies');
      expect(s).to.not.have.property('internalTrafficPolicy');
    });

    it('gives a headless service without selector both families', () => {
      const s = spec(defaultObject(service({ clusterIP: 'None', selector: undefined }) as KubeObject));
      expect(s).to.deep.include({
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4', 'IPv6'],
        clusterIPs: ['None'],
      });
    });

    it('sets the ClientIP affinity timeout', () => {
      const s = spec(defaultObject(service({ sessionAffinity: 'ClientIP' }) as KubeObject));
      expect(s.sessionAffinityConfig).to.deep.equal({ clientIP: { timeoutSeconds: 10800 } });
    });
  });

  describe('Namespace', () => {
    it('adds the kubernetes finalizer, phase Active and the name label on create', () => {
      const ns = defaultObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
      expect(ns.spec).to.deep.equal({ finalizers: ['kubernetes'] });
      expect(ns.status).to.deep.equal({ phase: 'Active' });
      expect(ns.metadata.labels).to.deep.equal({ 'kubernetes.io/metadata.name': 'team-a' });
    });

    it('leaves the finalizers of a stored namespace alone, so they can be cleared', () => {
      const ns = defaultObject({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'a', uid: 'u' },
        spec: {},
        status: { phase: 'Terminating' },
      });
      expect(ns.spec).to.deep.equal({});
      expect(ns.status).to.deep.equal({ phase: 'Terminating' });
    });
  });

  it('gives User and Group subjects of bindings the RBAC apiGroup', () => {
    const rb = defaultObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'x' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    });
    expect(rb.subjects).to.deep.equal([
      { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'x' },
    ]);
  });

  it('passes other kinds through unchanged', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(defaultObject(cm)).to.deep.equal(cm);
  });

  it('never mutates its input and returns a deep copy', () => {
    for (const input of [pod(), deployment(), service()] as KubeObject[]) {
      const before = structuredClone(input);
      const out = defaultObject(input);
      expect(input).to.deep.equal(before);
      expect(out.spec).to.not.equal(input.spec);
    }
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(defaultObject(cm)).to.not.equal(cm);
  });
});
