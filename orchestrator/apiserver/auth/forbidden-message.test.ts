import { expect } from 'chai';

import { ApiError } from '../../api/errors.js';
import { forbiddenError, forbiddenMessage } from './forbidden-message.js';
import type { RequestAttributes } from './request-attributes.js';

const alice = { username: 'alice', uid: 'u-1', groups: ['system:authenticated'] };

function attrs(fields: Partial<RequestAttributes>): RequestAttributes {
  return {
    user: alice,
    verb: 'get',
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    resourceRequest: true,
    path: '',
    ...fields,
  };
}

describe('forbiddenMessage', () => {
  it('names the resource and namespace of a collection request', () => {
    expect(forbiddenMessage(attrs({ verb: 'list', resource: 'pods', namespace: 'team-b' }))).to.equal(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"',
    );
  });

  it('qualifies the resource with its group and quotes the object name', () => {
    const message = forbiddenMessage(
      attrs({ apiGroup: 'apps', resource: 'deployments', namespace: 'team-b', name: 'web' }),
    );
    expect(message).to.equal(
      'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "team-b"',
    );
  });

  it('says "at the cluster scope" for a request without namespace', () => {
    expect(forbiddenMessage(attrs({ verb: 'create', resource: 'namespaces' }))).to.equal(
      'namespaces is forbidden: User "alice" cannot create resource "namespaces" in API group "" at the cluster scope',
    );
    expect(
      forbiddenMessage(
        attrs({ verb: 'list', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' }),
      ),
    ).to.equal(
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );
  });

  it('names a subresource as resource/subresource after the object', () => {
    expect(
      forbiddenMessage(attrs({ resource: 'pods', subresource: 'log', namespace: 'team-b', name: 'x' })),
    ).to.equal(
      'pods "x" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "team-b"',
    );
  });

  it('names the path of a non-resource request', () => {
    expect(forbiddenMessage(attrs({ resourceRequest: false, verb: 'get', path: '/metrics' }))).to.equal(
      'forbidden: User "alice" cannot get path "/metrics"',
    );
  });

  it('appends a reason after a colon', () => {
    const message = forbiddenMessage(
      attrs({ verb: 'list', resource: 'pods', namespace: 'team-a' }),
      'RBAC: clusterrole.rbac.authorization.k8s.io "edit" not found',
    );
    expect(message).to.equal(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a": RBAC: clusterrole.rbac.authorization.k8s.io "edit" not found',
    );
  });

  it('quotes like Go and escapes HTML in the denial', () => {
    const message = forbiddenMessage(
      attrs({ user: { ...alice, username: 'a"b' }, resourceRequest: false, path: '/x<script>&\n' }),
    );
    expect(message).to.equal('forbidden: User "a\\"b" cannot get path "/x&lt;script&gt;&amp;\\n"');
  });
});

describe('forbiddenError', () => {
  it('is a 403 Forbidden ApiError carrying group, resource and name as details', () => {
    const error = forbiddenError(
      attrs({ apiGroup: 'apps', resource: 'deployments', namespace: 'team-b', name: 'web' }),
    );
    expect(error).to.be.instanceOf(ApiError);
    expect(error.toStatus()).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "team-b"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });

  it('has empty details for a non-resource request', () => {
    const error = forbiddenError(attrs({ resourceRequest: false, path: '/metrics' }));
    expect(error.code).to.equal(403);
    expect(error.details).to.deep.equal({});
  });
});
