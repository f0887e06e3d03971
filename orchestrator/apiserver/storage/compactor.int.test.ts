import { expect } from 'chai';
import { TEST_TOKENS, TestControlPlane } from '../../../testing/test-control-plane.js';

const admin = TEST_TOKENS.admin;

describe('etcd compaction (--etcd-compaction-interval)', function () {
  this.timeout(30_000);
  let cp: TestControlPlane;
  before(async () => (cp = await TestControlPlane.start({ etcdCompactionIntervalMs: 300 })));
  after(() => cp?.stop());

  it('keeps a revision readable for an interval, then answers 410 Gone for it', async () => {
    for (const name of ['compacted-a', 'compacted-b'])
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, { metadata: { name } });
    // A page's continue token reads the next page at the first page's revision.
    const first = await cp.request('GET', '/api/v1/namespaces/default/configmaps?limit=1', admin);
    const token = encodeURIComponent(first.body.metadata.continue as string);
    const next = await cp.request(
      'GET',
      `/api/v1/namespaces/default/configmaps?limit=1&continue=${token}`,
      admin,
    );
    expect(next.status).to.equal(200);
    expect(next.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['compacted-b']);
    // A later write, then two ticks: the compaction passes the first page's revision, and it is gone.
    await cp.request(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/compacted-a',
      admin,
      { data: { v: '2' } },
      'application/merge-patch+json',
    );
    await new Promise((r) => setTimeout(r, 1000));
    const gone = await cp.request(
      'GET',
      `/api/v1/namespaces/default/configmaps?limit=1&continue=${token}`,
      admin,
    );
    expect(gone.status).to.equal(410);
    expect(gone.body).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});
