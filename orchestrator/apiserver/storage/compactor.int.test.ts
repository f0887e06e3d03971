import { expect } from 'chai';
import { TEST_TOKENS, TestControlPlane } from '../../../testing/test-control-plane.js';

const admin = TEST_TOKENS.admin;

/** The first line of a watch from `rv`, parsed. */
async function firstWatchEvent(cp: TestControlPlane, rv: string): Promise<{ type: string; object: any }> {
  const controller = new AbortController();
  const res = await cp.fetch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, {
    headers: { authorization: `Bearer ${admin}` },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  controller.abort();
  return JSON.parse(text.slice(0, text.indexOf('\n')));
}

describe('etcd compaction (--etcd-compaction-interval)', function () {
  this.timeout(30_000);
  let cp: TestControlPlane;
  before(async () => (cp = await TestControlPlane.start({ etcdCompactionIntervalMs: 300 })));
  after(() => cp?.stop());

  it('keeps a revision watchable for an interval, then answers 410 Gone for it', async () => {
    const created = await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, {
      metadata: { name: 'compacted' },
      data: { v: '1' },
    });
    const rv = created.body.metadata.resourceVersion as string;
    await cp.request(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/compacted',
      admin,
      { data: { v: '2' } },
      'application/merge-patch+json',
    );
    // Within the interval the change after rv is still there to resume from.
    const resumed = await firstWatchEvent(cp, rv);
    expect(resumed.type).to.equal('MODIFIED');
    expect(resumed.object.data).to.deep.equal({ v: '2' });
    // A later write, then two ticks: the compaction passes it, and rv is gone.
    await cp.request(
      'PATCH',
      '/api/v1/namespaces/default/configmaps/compacted',
      admin,
      { data: { v: '3' } },
      'application/merge-patch+json',
    );
    await new Promise((r) => setTimeout(r, 1000));
    const gone = await firstWatchEvent(cp, rv);
    expect(gone.type, JSON.stringify(gone)).to.equal('ERROR');
    expect(gone.object).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});
