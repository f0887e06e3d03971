import { expect } from 'chai';

import {
  AlwaysAllowAuthorizer,
  UnionAuthorizer,
  type AuthorizationDecision,
  type Authorizer,
} from './authorizer.js';
import type { RequestAttributes } from './request-attributes.js';

const attrs: RequestAttributes = {
  user: { username: 'system:node:worker-1', uid: '', groups: ['system:nodes'] },
  verb: 'list',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  namespace: '',
  name: '',
  resourceRequest: true,
  path: '/api/v1/pods',
};

function mode(decision: AuthorizationDecision, asked: string[], name: string): Authorizer {
  return {
    authorize: async () => {
      asked.push(name);
      return decision;
    },
  };
}

describe('UnionAuthorizer', () => {
  it('asks the modes in order and stops at the first that allows', async () => {
    const asked: string[] = [];
    const union = new UnionAuthorizer([
      mode({ allowed: false, reason: '' }, asked, 'Node'),
      mode({ allowed: true, reason: 'RBAC: allowed by …' }, asked, 'RBAC'),
      mode({ allowed: true, reason: 'never asked' }, asked, 'AlwaysAllow'),
    ]);
    expect(await union.authorize(attrs)).to.deep.equal({ allowed: true, reason: 'RBAC: allowed by …' });
    expect(asked).to.deep.equal(['Node', 'RBAC']);
  });

  it('joins the reasons of every mode that gave one when none allows, as kube-apiserver does', async () => {
    const union = new UnionAuthorizer([
      mode(
        {
          allowed: false,
          reason: 'can only list/watch pods with spec.nodeName field selector',
          forbiddenReason: 'can only list/watch pods with spec.nodeName field selector',
        },
        [],
        'Node',
      ),
      mode(
        { allowed: false, reason: 'RBAC: no rules…', forbiddenReason: 'RBAC: role "x" not found' },
        [],
        'RBAC',
      ),
    ]);
    expect(await union.authorize(attrs)).to.deep.equal({
      allowed: false,
      reason: 'can only list/watch pods with spec.nodeName field selector\nRBAC: no rules…',
      forbiddenReason: 'can only list/watch pods with spec.nodeName field selector\nRBAC: role "x" not found',
    });
  });

  it('allows everything with AlwaysAllow', async () => {
    expect((await new UnionAuthorizer([new AlwaysAllowAuthorizer()]).authorize(attrs)).allowed).to.equal(
      true,
    );
  });
});
