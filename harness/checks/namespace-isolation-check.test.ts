import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'tenants stay apart',
  type: 'namespace-isolation',
  window: 'whole-run',
  thresholds: {},
  ...over,
});

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault(
      { id: 'kill-tenant-a', type: 'component-kill', targets: ['worker-1'], tenant: 'tenant-a' },
      10_000,
      40_000,
    )
    .probe(5_000)
    .probe(6_000, { verb: 'delete', resource: 'pods' })
    .probe(7_000, {
      tenant: 'tenant-b',
      namespace: 'tenant-a',
      verb: 'list',
      resource: 'pods',
      expect: 'scoped',
      status: 200,
    });

describe('namespaceIsolationCheck', () => {
  it('passes when every cross-tenant attempt held and the other tenant kept its success ratio', () => {
    const history = run()
      .loadSeconds(0, 60_000, { namespace: 'tenant-b', load: 'b-echo' })
      .loadSeconds(10_000, 40_000, { namespace: 'tenant-a', failed: 100 })
      .build();
    const [verdict] = judge(history, [
      spec({
        window: { during: 'kill-tenant-a' },
        thresholds: { minOtherTenantSuccessRatio: 0.99 },
        select: { otherNamespace: 'tenant-b' },
      }),
    ]);
    // The probes ran before the fault: only the load is judged in this window.
    expect(verdict).to.include({ outcome: 'pass', measured: 0 });
    expect(verdict!.threshold).to.equal(
      'every cross-tenant attempt denied or scoped, tenant-b success ratio ≥ 99%',
    );
    expect(verdict!.summary).to.equal(
      "No cross-tenant attempt was made while worker-1 was killed, and tenant-b's load kept 100% success.",
    );
    const [probes] = judge(history, [spec()]);
    expect(probes).to.include({
      outcome: 'pass',
      summary: '0 of 3 cross-tenant attempts leaked during the run.',
    });
  });

  it('fails when a probe did not hold, naming tenant, verb, resource, namespace and status', () => {
    const history = run()
      .probe(8_000, { verb: 'get', resource: 'secrets', status: 200, held: false })
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'fail',
      measured: 1,
      summary: '1 of 4 cross-tenant attempts leaked during the run.',
    });
    expect(verdict!.evidence).to.deep.equal([
      {
        t: 8_000,
        message: 'Tenant tenant-a: get secrets in namespace tenant-b got 200, expected 403 Forbidden.',
      },
    ]);
  });

  it('fails on what a pod of a tenant could read or reach, saying it came from inside a pod', () => {
    const history = run()
      .probe(9_000, {
        from: 'pod',
        verb: 'read',
        resource: '/etc/crucible/tokens.csv',
        namespace: 'tenant-a',
        status: 0,
        held: false,
        detail: 'got through from inside a pod: read 612 bytes',
      })
      .probe(9_000, { from: 'pod', verb: 'get', resource: 'toxiproxy API http://toxiproxy:8474/proxies' })
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'fail',
      measured: 1,
      summary: '1 of 5 cross-tenant attempts (2 from inside pods) leaked during the run.',
    });
    expect(verdict!.evidence[0]!.message).to.equal(
      'A pod of tenant tenant-a (namespace tenant-a) could read /etc/crucible/tokens.csv, which must be refused to pods (got through from inside a pod: read 612 bytes).',
    );
  });

  it('leaves connections from pods to other tenants’ pods and Services to network-isolation', () => {
    const history = run()
      .probe(9_000, {
        from: 'pod',
        namespace: 'tenant-a',
        verb: 'connect',
        resource: 'pod tenant-b/echo-1:8080 10.0.0.3:30012',
        status: 200,
        held: false,
        detail: 'got through from inside a pod: answered "HTTP/1.1 200 OK"',
      })
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      summary: '0 of 3 cross-tenant attempts leaked during the run.',
    });
  });

  it('is unknown, not a pass, when pods could not be confined on the machine that ran it', () => {
    const history = run().build();
    history.metadata.podConfinement = { confined: false, reason: 'crucible does not run as root' };
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.summary).to.contain(
      'pods are not isolated from the control plane on this machine (crucible does not run as root)',
    );
  });

  it('fails when a fault in one tenant degraded the other', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) => ({ namespace: 'tenant-b', failed: t >= 10_000 && t < 20_000 ? 50 : 0 }))
      .build();
    const [verdict] = judge(history, [
      spec({
        window: { during: 'kill-tenant-a' },
        thresholds: { minOtherTenantSuccessRatio: 0.99 },
        select: { otherNamespace: 'tenant-b' },
      }),
    ]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.summary).to.contain("tenant-b's load fell to 83.3% success (below 99%)");
  });

  it('is unknown without probes in the window when no other-tenant ratio is asked for', () => {
    const [verdict] = judge(run().build(), [spec({ window: 'after-heal' })]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal('No isolation probes between 40 s and 60 s.');
  });

  it('is unknown when the other tenant’s ratio is asked for without saying which namespace', () => {
    const [verdict] = judge(run().build(), [spec({ thresholds: { minOtherTenantSuccessRatio: 0.99 } })]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain('needs select "otherNamespace"');
  });
});
