import { expect } from 'chai';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { RESOURCES, apiVersionOf } from '../api/resources.js';

const admin = TEST_TOKENS.admin;

function configMap(name: string, data: Record<string, string> = { k: 'v' }, namespace = 'default') {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** Reads a watch stream's events until `count` arrived or the stream ended. */
async function readEvents(
  cp: TestControlPlane,
  path: string,
  token: string,
  count: number,
  timeoutMs = 10_000,
): Promise<any[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: any[] = [];
  try {
    const res = await cp.fetch(path, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let buffered = '';
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += Buffer.from(value).toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
    }
  } catch (e) {
    // Aborted by the timeout, or the server went away: either way the stream is over.
    if ((e as Error).name !== 'AbortError' && (e as Error).message !== 'terminated') throw e;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('apiserver over a real etcd', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;

  before(async () => {
    cp = await TestControlPlane.start();
  });
  after(async () => cp?.stop());

  describe('optimistic concurrency', () => {
    it('lets exactly one of two updates from the same resourceVersion win; the other gets 409', async () => {
      const created = await cp.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        admin,
        configMap('race'),
      );
      expect(created.status).to.equal(201);
      const rv = created.body.metadata.resourceVersion;
      const [a, b] = await Promise.all([
        cp.request('PUT', '/api/v1/namespaces/default/configmaps/race', admin, {
          ...created.body,
          data: { k: 'a' },
        }),
        cp.request('PUT', '/api/v1/namespaces/default/configmaps/race', admin, {
          ...created.body,
          data: { k: 'b' },
        }),
      ]);
      const codes = [a.status, b.status].sort();
      expect(codes).to.deep.equal([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body).to.include({ kind: 'Status', reason: 'Conflict', code: 409 });
      expect(loser.body.message).to.include('the object has been modified');
      const winner = a.status === 200 ? a : b;
      const now = await cp.request('GET', '/api/v1/namespaces/default/configmaps/race', admin);
      expect(now.body.data.k).to.equal(winner.body.data.k);
      expect(Number(now.body.metadata.resourceVersion)).to.be.greaterThan(Number(rv));
    });

    it('retries patches without a resourceVersion on conflict, so concurrent patches all land', async () => {
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('many', {}));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          cp.request(
            'PATCH',
            '/api/v1/namespaces/default/configmaps/many',
            admin,
            { data: { [`k${i}`]: 'v' } },
            'application/merge-patch+json',
          ),
        ),
      );
      expect(results.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
      const final = await cp.request('GET', '/api/v1/namespaces/default/configmaps/many', admin);
      expect(Object.keys(final.body.data)).to.have.length(20);
    });

    it('bumps generation on spec changes only, and keeps uid and creationTimestamp', async () => {
      const deploy = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'gen', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
          },
        },
      };
      const created = (
        await cp.request('POST', '/apis/apps/v1/namespaces/default/deployments', admin, deploy)
      ).body;
      expect(created.metadata.generation).to.equal(1);
      const labelled = await cp.request(
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/gen',
        admin,
        { metadata: { labels: { x: 'y' } } },
        'application/merge-patch+json',
      );
      expect(labelled.body.metadata.generation).to.equal(1);
      const scaled = await cp.request(
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/gen',
        admin,
        { spec: { replicas: 3 } },
        'application/merge-patch+json',
      );
      expect(scaled.body.metadata.generation).to.equal(2);
      expect(scaled.body.metadata.uid).to.equal(created.metadata.uid);
      expect(scaled.body.metadata.creationTimestamp).to.equal(created.metadata.creationTimestamp);
    });
  });

  describe('watch', () => {
    it('replays every change since an old resourceVersion, in order', async () => {
      const base = (await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin)).body.metadata
        .resourceVersion;
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('w1'));
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/w1',
        admin,
        { data: { k: '2' } },
        'application/merge-patch+json',
      );
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('w2'));
      await cp.request('DELETE', '/api/v1/namespaces/default/configmaps/w1', admin);
      const events = await readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${base}`,
        admin,
        4,
      );
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).to.deep.equal([
        'ADDED w1',
        'MODIFIED w1',
        'ADDED w2',
        'DELETED w1',
      ]);
      const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
      expect(rvs).to.deep.equal([...rvs].sort((x, y) => x - y));
      expect(events[1].object.data.k).to.equal('2');
    });

    it('answers a resourceVersion older than the watch cache and etcd reach with a 410 Gone ERROR event', async () => {
      const first = await cp.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        admin,
        configMap('old'),
      );
      const oldRv = Number(first.body.metadata.resourceVersion);
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/old',
        admin,
        { data: { k: 'new' } },
        'application/merge-patch+json',
      );
      // A new apiserver's cache starts at the revision it listed, reaching back only as far as etcd
      // still has history: after a compaction, a watch from before it is told to relist.
      const storage = cp.server['storage'];
      await storage.compact(await storage.currentRevision());
      await cp.restartApiServer();
      const events = await readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRv - 1}`,
        admin,
        1,
      );
      expect(events).to.have.length(1);
      expect(events[0].type).to.equal('ERROR');
      expect(events[0].object).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
      const relisted = await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin);
      const resumed = readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${relisted.body.metadata.resourceVersion}`,
        admin,
        1,
      );
      await new Promise((r) => setTimeout(r, 200));
      await cp.request('DELETE', '/api/v1/namespaces/default/configmaps/old', admin);
      expect((await resumed).map((e) => `${e.type} ${e.object.metadata.name}`)).to.deep.equal([
        'DELETED old',
      ]);
    });

    it('sends the current objects first when watching without a resourceVersion', async () => {
      await cp.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        admin,
        configMap('initial-1', {}, 'default'),
      );
      const events = await readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dinitial-1`,
        admin,
        1,
      );
      expect(events[0]).to.deep.include({ type: 'ADDED' });
      expect(events[0].object.metadata.name).to.equal('initial-1');
    });

    it('turns a label change into ADDED or DELETED for a selector watch', async () => {
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('sel'));
      const rv = (await cp.request('GET', '/api/v1/namespaces/default/configmaps/sel', admin)).body.metadata
        .resourceVersion;
      const pending = readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=team%3Dred&resourceVersion=${rv}`,
        admin,
        2,
      );
      await new Promise((r) => setTimeout(r, 200));
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/sel',
        admin,
        { metadata: { labels: { team: 'red' } } },
        'application/merge-patch+json',
      );
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/sel',
        admin,
        { metadata: { labels: { team: 'blue' } } },
        'application/merge-patch+json',
      );
      const events = await pending;
      expect(events.map((e) => e.type)).to.deep.equal(['ADDED', 'DELETED']);
    });

    it('lets a watcher resume across an apiserver restart without missing a change', async () => {
      const rv = (
        await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('restart'))
      ).body.metadata.resourceVersion;
      const stream = readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`,
        admin,
        100,
        5_000,
      );
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/restart',
        admin,
        { data: { k: 'before' } },
        'application/merge-patch+json',
      );
      await new Promise((r) => setTimeout(r, 200));
      await cp.restartApiServer();
      const seen = await stream;
      expect(seen.map((e) => e.object.data?.k)).to.deep.equal(['before']);
      const lastRv = seen[seen.length - 1].object.metadata.resourceVersion;
      await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/restart',
        admin,
        { data: { k: 'after' } },
        'application/merge-patch+json',
      );
      const resumed = await readEvents(
        cp,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${lastRv}`,
        admin,
        1,
      );
      expect(resumed[0].type).to.equal('MODIFIED');
      expect(resumed[0].object.data.k).to.equal('after');
    });
  });

  describe('lists', () => {
    it('pages with limit and continue over a consistent snapshot', async () => {
      await cp.request('POST', '/api/v1/namespaces', admin, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'paging' },
      });
      for (let i = 0; i < 7; i++)
        await cp.request(
          'POST',
          '/api/v1/namespaces/paging/configmaps',
          admin,
          configMap(`p${i}`, {}, 'paging'),
        );
      const names: string[] = [];
      let cont = '';
      let pages = 0;
      do {
        const page = await cp.request(
          'GET',
          `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${cont}` : ''}`,
          admin,
        );
        expect(page.status).to.equal(200);
        names.push(...page.body.items.map((i: any) => i.metadata.name));
        if (pages === 0)
          await cp.request(
            'POST',
            '/api/v1/namespaces/paging/configmaps',
            admin,
            configMap('p9-late', {}, 'paging'),
          );
        cont = page.body.metadata.continue ?? '';
        pages++;
      } while (cont);
      expect(pages).to.equal(3);
      expect(names).to.deep.equal(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    });

    it('filters by label and field selectors', async () => {
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, {
        ...configMap('lab1'),
        metadata: { name: 'lab1', labels: { tier: 'a' } },
      });
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, {
        ...configMap('lab2'),
        metadata: { name: 'lab2', labels: { tier: 'b' } },
      });
      const byLabel = await cp.request(
        'GET',
        '/api/v1/namespaces/default/configmaps?labelSelector=tier%20in%20(a)',
        admin,
      );
      expect(byLabel.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['lab1']);
      const byField = await cp.request('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dlab2', admin);
      expect(byField.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['lab2']);
      const bad = await cp.request('GET', '/api/v1/configmaps?fieldSelector=spec.nope%3Dx', admin);
      expect(bad.status).to.equal(400);
    });
  });

  describe('namespace isolation with RBAC', () => {
    before(async () => {
      for (const ns of ['team-a', 'team-b']) {
        await cp.request('POST', '/api/v1/namespaces', admin, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns },
        });
        await cp.request(
          'POST',
          `/api/v1/namespaces/${ns}/configmaps`,
          admin,
          configMap('secret-ish', {}, ns),
        );
      }
      await cp.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings', admin, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'alice-admin', namespace: 'team-a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
      });
      await pollUntil(
        async () =>
          (await cp.request('GET', '/api/v1/namespaces/team-a/configmaps', TEST_TOKENS.alice)).status === 200,
        10_000,
        'alice bound',
      );
    });

    it('refuses a tenant every verb on every resource of another namespace', async () => {
      const attempts: { what: string; status: number }[] = [];
      for (const r of RESOURCES.filter((x) => x.namespaced)) {
        const base = `${r.group ? `/apis/${apiVersionOf(r)}` : '/api/v1'}/namespaces/team-b/${r.resource}`;
        const body = {
          apiVersion: apiVersionOf(r),
          kind: r.kind,
          metadata: { name: 'x', namespace: 'team-b' },
        };
        for (const [method, path, payload, type] of [
          ['GET', base, undefined, undefined],
          ['GET', `${base}?watch=true&timeoutSeconds=1`, undefined, undefined],
          ['GET', `${base}/x`, undefined, undefined],
          ['POST', base, body, 'application/json'],
          ['PUT', `${base}/x`, body, 'application/json'],
          ['PATCH', `${base}/x`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json'],
          ['DELETE', `${base}/x`, undefined, undefined],
          ['DELETE', base, undefined, undefined],
        ] as const) {
          const res = await cp.request(method, path, TEST_TOKENS.alice, payload, type);
          attempts.push({ what: `${method} ${path}`, status: res.status });
        }
      }
      const allowed = attempts.filter((a) => a.status !== 403);
      expect(allowed, JSON.stringify(allowed)).to.deep.equal([]);
      expect(attempts.length).to.equal(RESOURCES.filter((x) => x.namespaced).length * 8);
    });

    it('refuses a tenant cluster-scoped writes', async () => {
      for (const [path, body] of [
        ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sneaky' } }],
        ['/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }],
        [
          '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: 'me' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
            subjects: [{ kind: 'User', name: 'alice' }],
          },
        ],
      ] as const) {
        const res = await cp.request('POST', path, TEST_TOKENS.alice, body);
        expect(res.status, path).to.equal(403);
        expect(res.body.reason).to.equal('Forbidden');
      }
      expect((await cp.request('DELETE', '/api/v1/namespaces/team-b', TEST_TOKENS.alice)).status).to.equal(
        403,
      );
    });

    it('still lets the tenant work in its own namespace', async () => {
      const res = await cp.request(
        'POST',
        '/api/v1/namespaces/team-a/configmaps',
        TEST_TOKENS.alice,
        configMap('mine', {}, 'team-a'),
      );
      expect(res.status).to.equal(201);
      const list = await cp.request('GET', '/api/v1/namespaces/team-a/configmaps', TEST_TOKENS.alice);
      expect(list.body.items.map((i: any) => i.metadata.namespace)).to.satisfy((nss: string[]) =>
        nss.every((n) => n === 'team-a'),
      );
    });

    it('answers 401 to a wrong token', async () => {
      const res = await cp.request('GET', '/api/v1/namespaces', 'not-a-token');
      expect(res.status).to.equal(401);
      expect(res.body.kind).to.equal('Status');
    });
  });

  describe('malformed requests', () => {
    it('answers each with a 4xx Status that names the problem, stores nothing partial, and keeps serving', async () => {
      const before = (await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin)).body.items
        .length;
      const cases = malformedRequests();
      expect(cases.length).to.be.greaterThan(200);
      const failures: string[] = [];
      for (const c of cases) {
        const res = await cp.request(c.method, c.path, admin, c.body, c.type ?? 'application/json');
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          res.body?.kind === 'Status' &&
          typeof res.body.message === 'string' &&
          !/\n\s+at /.test(res.body.message);
        const named = c.expect === undefined || (res.body?.message ?? '').includes(c.expect);
        if (!ok || !named)
          failures.push(`${c.what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      expect(failures, failures.join('\n')).to.deep.equal([]);
      const after = (await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin)).body.items
        .length;
      expect(after).to.equal(before);
      expect((await cp.request('GET', '/healthz', admin)).status).to.equal(200);
    });
  });

  describe('clients that are not kubectl', () => {
    it('reads every boolean query parameter as kube-apiserver does: only 0 and false (any case) are false', async () => {
      await cp.request('POST', '/api/v1/namespaces/default/configmaps', admin, configMap('bools'));
      const path = '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dbools';
      for (const value of ['true', 'True', 'TRUE', '1', 'yes', '']) {
        const events = await readEvents(cp, `${path}&watch=${value}`, admin, 1, 3000);
        expect(
          events.map((e) => e.type),
          `watch=${value}`,
        ).to.deep.equal(['ADDED']);
      }
      const bare = await readEvents(cp, `${path}&watch`, admin, 1, 3000);
      expect(
        bare.map((e) => e.type),
        'watch without a value',
      ).to.deep.equal(['ADDED']);
      for (const value of ['false', 'False', 'FALSE', '0']) {
        const res = await cp.request('GET', `${path}&watch=${value}`, admin);
        expect(res.body.kind, `watch=${value}`).to.equal('ConfigMapList');
      }
      const applied = await cp.request(
        'PATCH',
        '/api/v1/namespaces/default/configmaps/bools?fieldManager=other&force=True',
        admin,
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bools\ndata:\n  k: forced\n',
        'application/apply-patch+yaml',
      );
      expect(applied.status, 'force=True takes the field over').to.equal(200);
      expect(applied.body.data.k).to.equal('forced');
    });

    it('answers a body nested 5000 deep with a 400 on every verb and body type, and keeps serving', async () => {
      const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const deep = nested(5000);
      const cm = '/api/v1/namespaces/default/configmaps';
      await cp.request('POST', cm, admin, configMap('deep'));
      const cases: [string, string, string, string][] = [
        ['POST', cm, `{"metadata":{"name":"d"},"data":${deep}}`, 'application/json'],
        ['POST', `${cm}?fieldValidation=Ignore`, `{"metadata":{"name":"d"},"x":${deep}}`, 'application/json'],
        ['PUT', `${cm}/deep`, `{"metadata":{"name":"deep"},"data":${deep}}`, 'application/json'],
        ['PATCH', `${cm}/deep`, `{"data":${deep}}`, 'application/merge-patch+json'],
        ['PATCH', `${cm}/deep`, `{"data":${deep}}`, 'application/strategic-merge-patch+json'],
        [
          'PATCH',
          `${cm}/deep`,
          `[{"op":"add","path":"/data/z","value":${deep}}]`,
          'application/json-patch+json',
        ],
        [
          'PATCH',
          `${cm}/deep?fieldManager=m`,
          `{"metadata":{"name":"deep"},"data":${deep}}`,
          'application/apply-patch+yaml',
        ],
        ['POST', cm, `metadata: {name: y}\ndata: ${deep}`, 'application/yaml'],
        ['POST', cm, `metadata: {name: y}\ndata: ${'['.repeat(100_000)}`, 'application/yaml'],
        ['DELETE', `${cm}/deep`, `{"preconditions":${deep}}`, 'application/json'],
        [
          'POST',
          '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          `{"spec":${deep}}`,
          'application/json',
        ],
        [
          'PUT',
          `${cm}/deep`,
          `{"metadata":{"name":"deep"},"data":${'['.repeat(200_000)}1${']'.repeat(200_000)}}`,
          'application/json',
        ],
      ];
      for (const [method, path, body, type] of cases) {
        const res = await cp.request(method, path, admin, body, type);
        expect(res.status, `${method} ${path} ${type}: ${JSON.stringify(res.body).slice(0, 200)}`).to.equal(
          400,
        );
        expect(res.body.message).to.match(/nested too deeply/);
      }
      // Just under the limit, every walk of the body still answers with a 4xx of its own.
      const limit = nested(990);
      for (const [method, path, body, type] of [
        ['POST', cm, `{"metadata":{"name":"d"},"data":${limit}}`, 'application/json'],
        ['PATCH', `${cm}/deep`, `{"data":${limit}}`, 'application/strategic-merge-patch+json'],
        [
          'PATCH',
          `${cm}/deep?fieldManager=m`,
          `{"metadata":{"name":"deep"},"data":${limit}}`,
          'application/apply-patch+yaml',
        ],
      ]) {
        const res = await cp.request(method!, path!, admin, body, type);
        expect(res.status, `${method} ${type} at 990 deep`).to.be.within(400, 499);
      }
      expect((await cp.request('GET', `${cm}/deep`, admin)).status).to.equal(200);
    });
  });

  describe('etcd outage', () => {
    it('fails requests with a 5xx Status within the deadline, and recovers within 2 s of etcd returning', async () => {
      await cp.etcd.stop();
      const started = Date.now();
      const res = await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin);
      const took = Date.now() - started;
      expect(res.status).to.be.within(500, 599);
      expect(res.body.kind).to.equal('Status');
      expect(took).to.be.lessThan(3000);
      const write = await cp.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        admin,
        configMap('during-outage'),
      );
      expect(write.status).to.be.within(500, 599);
      await new Promise((r) => setTimeout(r, 3000));
      await cp.etcd.start();
      const back = Date.now();
      await pollUntil(
        async () => (await cp.request('GET', '/api/v1/namespaces/default/configmaps', admin)).status === 200,
        5000,
        'recovery',
      );
      const recovered = Date.now() - back;
      expect(recovered).to.be.lessThan(2000);
      const created = await cp.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        admin,
        configMap('after-outage'),
      );
      expect(created.status).to.equal(201);
      const stored = await cp.request('GET', '/api/v1/namespaces/default/configmaps/during-outage', admin);
      expect(stored.status, 'a write refused during the outage must not appear later').to.equal(404);
    });
  });
});

interface Malformed {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  type?: string;
  expect?: string;
}

/** Hundreds of bad requests: bad JSON and YAML, unknown kinds, wrong types, huge bodies, bad names, mismatched namespaces, unknown fields. */
function malformedRequests(): Malformed[] {
  const cm = '/api/v1/namespaces/default/configmaps';
  const deploy = '/apis/apps/v1/namespaces/default/deployments';
  const cases: Malformed[] = [];
  const badJson = [
    '{',
    '{"a":',
    '[1,2',
    'nul',
    '{"metadata": {"name": "x"}',
    '{"a" 1}',
    "{'a': 1}",
    '{"a":1,}',
    '\u0000',
    'true false',
  ];
  for (const body of badJson)
    cases.push({ what: `bad JSON ${body}`, method: 'POST', path: cm, body, expect: 'error decoding JSON' });
  const badYaml = [
    'a: [1, 2',
    'a: b: c',
    'key: "unterminated',
    '- a\nb: c',
    'a:\n  - b\n c: d',
    '{a: 1',
    'a: &x 1\nb: *y',
    'a: 1\na: 2',
  ];
  for (const body of badYaml)
    cases.push({
      what: `bad YAML ${body}`,
      method: 'POST',
      path: cm,
      body,
      type: 'application/yaml',
      expect: 'YAML',
    });
  for (const body of ['[]', '1', '"str"', 'null'])
    cases.push({ what: `non-object ${body}`, method: 'POST', path: cm, body });
  for (const kind of ['Secret', 'Pod', 'Foo', 'configmap', '']) {
    if (kind === '') continue;
    cases.push({
      what: `kind ${kind} on configmaps`,
      method: 'POST',
      path: cm,
      body: { apiVersion: 'v1', kind, metadata: { name: 'k' } },
      expect: 'kind',
    });
  }
  for (const apiVersion of ['apps/v1', 'v2', 'foo/v1', 'v1beta1']) {
    cases.push({
      what: `apiVersion ${apiVersion}`,
      method: 'POST',
      path: cm,
      body: { apiVersion, kind: 'ConfigMap', metadata: { name: 'k' } },
      expect: 'API version',
    });
  }
  for (const path of [
    '/api/v1/namespaces/default/widgets',
    '/apis/nothing.io/v1/things',
    '/api/v9/pods',
    '/apis/apps/v1/namespaces/default/pods',
    '/api/v1/namespaces/default/configmaps/x/bogus',
  ]) {
    cases.push({ what: `unknown resource ${path}`, method: 'GET', path });
    cases.push({ what: `unknown resource POST ${path}`, method: 'POST', path, body: {} });
  }
  const wrongTypes: [string, unknown][] = [
    ['data as string', { data: 'oops' }],
    ['data value number', { data: { a: 1 } }],
    ['labels as list', { metadata: { name: 'x', labels: ['a'] } }],
    ['name as number', { metadata: { name: 5 } }],
    ['annotations value object', { metadata: { name: 'x', annotations: { a: {} } } }],
    ['metadata as string', { metadata: 'x' }],
    ['finalizers as string', { metadata: { name: 'x', finalizers: 'a' } }],
    ['binaryData as list', { binaryData: [] }],
  ];
  for (const [what, extra] of wrongTypes) {
    cases.push({
      what,
      method: 'POST',
      path: cm,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed' }, ...(extra as object) },
    });
  }
  const deployBase = (spec: unknown) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bad-deploy' },
    spec,
  });
  const tpl = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const badSpecs: [string, unknown, string][] = [
    [
      'negative replicas',
      { replicas: -1, selector: { matchLabels: { a: 'b' } }, template: tpl },
      'spec.replicas',
    ],
    [
      'replicas string',
      { replicas: 'three', selector: { matchLabels: { a: 'b' } }, template: tpl },
      'spec.replicas',
    ],
    [
      'replicas float',
      { replicas: 1.5, selector: { matchLabels: { a: 'b' } }, template: tpl },
      'spec.replicas',
    ],
    ['missing selector', { replicas: 1, template: tpl }, 'spec.selector'],
    ['selector mismatch', { replicas: 1, selector: { matchLabels: { a: 'c' } }, template: tpl }, 'selector'],
    [
      'no containers',
      {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: tpl.metadata, spec: { containers: [] } },
      },
      'containers',
    ],
    [
      'container without image',
      {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: tpl.metadata, spec: { containers: [{ name: 'c' }] } },
      },
      'image',
    ],
    [
      'bad restartPolicy',
      {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: tpl.metadata,
          spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'i' }] },
        },
      },
      'restartPolicy',
    ],
    [
      'bad strategy',
      { selector: { matchLabels: { a: 'b' } }, template: tpl, strategy: { type: 'Yolo' } },
      'strategy',
    ],
    [
      'bad port',
      {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: tpl.metadata,
          spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 70000 }] }] },
        },
      },
      'containerPort',
    ],
    [
      'duplicate container names',
      {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: tpl.metadata,
          spec: {
            containers: [
              { name: 'c', image: 'i' },
              { name: 'c', image: 'j' },
            ],
          },
        },
      },
      'name',
    ],
    ['unknown spec field', { selector: { matchLabels: { a: 'b' } }, template: tpl, replicaz: 3 }, 'replicaz'],
    [
      'unknown container field',
      {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: tpl.metadata, spec: { containers: [{ name: 'c', image: 'i', imag: 'x' }] } },
      },
      'imag',
    ],
  ];
  for (const [what, spec, field] of badSpecs)
    cases.push({ what, method: 'POST', path: deploy, body: deployBase(spec), expect: field });
  const badNames = [
    'UPPER',
    'under_score',
    '-lead',
    'trail-',
    'a'.repeat(254),
    'sp ace',
    'dot..dot',
    'émoji',
    'a/b',
    '.',
  ];
  for (const name of badNames) {
    cases.push({
      what: `bad name ${name.slice(0, 20)}`,
      method: 'POST',
      path: cm,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
      expect: 'metadata.name',
    });
    cases.push({
      what: `bad namespace name ${name.slice(0, 20)}`,
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  }
  cases.push({
    what: 'no name',
    method: 'POST',
    path: cm,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    expect: 'metadata.name',
  });
  for (const labelKey of ['bad key!', '-x', 'a/b/c', 'x'.repeat(64)]) {
    cases.push({
      what: `bad label key ${labelKey.slice(0, 10)}`,
      method: 'POST',
      path: cm,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lab', labels: { [labelKey]: 'v' } } },
      expect: 'metadata.labels',
    });
  }
  for (const ns of ['other', 'kube-system', 'team-a']) {
    cases.push({
      what: `namespace mismatch ${ns}`,
      method: 'POST',
      path: cm,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mm', namespace: ns } },
      expect: 'does not match the namespace',
    });
  }
  cases.push({
    what: 'missing namespace',
    method: 'POST',
    path: '/api/v1/namespaces/nowhere/configmaps',
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    expect: 'nowhere',
  });
  cases.push({
    what: 'name mismatch on PUT',
    method: 'PUT',
    path: `${cm}/one`,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } },
    expect: 'does not match the name',
  });
  for (const field of ['foo', 'spec', 'metadata.bogus', 'dataa']) {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uf' } };
    if (field === 'metadata.bogus') (body.metadata as Record<string, unknown>).bogus = 1;
    else body[field] = { x: 1 };
    cases.push({
      what: `unknown field ${field}`,
      method: 'POST',
      path: cm,
      body,
      expect: field.split('.').pop(),
    });
  }
  const huge = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'huge' },
    data: { big: 'x'.repeat(2 * 1024 * 1024) },
  });
  cases.push({ what: 'huge body', method: 'POST', path: cm, body: huge, expect: 'too large' });
  cases.push({
    what: 'unsupported media type',
    method: 'POST',
    path: cm,
    body: 'a=b',
    type: 'application/x-www-form-urlencoded',
  });
  cases.push({
    what: 'unsupported patch type',
    method: 'PATCH',
    path: `${cm}/kube-root`,
    body: '{}',
    type: 'text/plain',
  });
  cases.push({
    what: 'bad json patch',
    method: 'PATCH',
    path: '/api/v1/namespaces/default',
    body: '[{"op":"explode","path":"/x"}]',
    type: 'application/json-patch+json',
  });
  cases.push({
    what: 'bad label selector',
    method: 'GET',
    path: `${cm}?labelSelector=a%20in%20(`,
    expect: 'labelSelector',
  });
  cases.push({ what: 'bad limit', method: 'GET', path: `${cm}?limit=-4`, expect: 'limit' });
  cases.push({
    what: 'bad continue',
    method: 'GET',
    path: `${cm}?limit=1&continue=garbage`,
    expect: 'continue',
  });
  cases.push({
    what: 'bad watch rv',
    method: 'GET',
    path: `${cm}?watch=true&resourceVersion=abc`,
    expect: 'resource version',
  });
  cases.push({
    what: 'bad propagationPolicy',
    method: 'DELETE',
    path: `${cm}/x?propagationPolicy=Sideways`,
    expect: 'propagationPolicy',
  });
  cases.push({
    what: 'bad fieldValidation',
    method: 'POST',
    path: `${cm}?fieldValidation=Maybe`,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fv' } },
    expect: 'fieldValidation',
  });
  // Multiply the battery by repeating each structural case against other resources.
  const services = '/api/v1/namespaces/default/services';
  for (const [i, port] of [-1, 0, 65536, 'abc', 1.5, null].entries()) {
    cases.push({
      what: `service port ${String(port)}`,
      method: 'POST',
      path: services,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { ports: [{ port }] } },
      expect: 'port',
    });
  }
  for (const [i, type] of ['Weird', 'clusterip', 'nodeport'].entries()) {
    cases.push({
      what: `service type ${type}`,
      method: 'POST',
      path: services,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `t${i}` },
        spec: { type, ports: [{ port: 80 }] },
      },
      expect: 'type',
    });
  }
  cases.push({
    what: 'nodePort out of range',
    method: 'POST',
    path: services,
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] },
    },
    expect: 'nodePort',
  });
  const pods = '/api/v1/namespaces/default/pods';
  for (const [i, containers] of [
    [],
    'x',
    [{}],
    [{ name: 'UPPER', image: 'i' }],
    [{ name: 'c', image: 'i', ports: [{ containerPort: 0 }] }],
  ].entries()) {
    cases.push({
      what: `pod containers ${JSON.stringify(containers)}`,
      method: 'POST',
      path: pods,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` }, spec: { containers } },
      expect: 'containers',
    });
  }
  const base = cases.slice();
  // Each body case again as YAML, where it was JSON: the decoder path differs, the verdict must not.
  for (const c of base) {
    if (
      c.body !== undefined &&
      typeof c.body === 'object' &&
      c.method === 'POST' &&
      (c.type ?? 'application/json') === 'application/json'
    ) {
      cases.push({
        ...c,
        what: `${c.what} (as YAML)`,
        body: JSON.stringify(c.body),
        type: 'application/yaml',
      });
    }
  }
  return cases;
}
