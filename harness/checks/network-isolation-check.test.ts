import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec, IsolationProbe } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'tenants apart on the network',
  type: 'network-isolation',
  window: 'whole-run',
  thresholds: {},
  ...over,
});

/** A probe pod's connection to another tenant's pod or Service; refused unless told otherwise. */
const connect = (over: Partial<IsolationProbe> = {}): Partial<IsolationProbe> => ({
  from: 'pod',
  tenant: 'tenant-a',
  namespace: 'tenant-a',
  verb: 'connect',
  resource: 'pod tenant-b/echo-1:8080 10.0.0.3:30012',
  expect: 'denied',
  status: 0,
  held: true,
  detail: 'reset after connecting (ECONNRESET)',
  ...over,
});

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'lose-worker', type: 'node-loss', targets: ['worker-1'] }, 10_000, 40_000)
    // The API battery and the in-pod reads are namespace-isolation's, whatever they found.
    .probe(5_000, { status: 200, held: false })
    .probe(5_000, { from: 'pod', verb: 'read', resource: '/etc/crucible/tokens.csv', held: false })
    .probe(5_000, connect())
    .probe(
      5_000,
      connect({ resource: 'service tenant-b/echo:80 10.0.0.2:30081', detail: 'refused (ECONNREFUSED)' }),
    )
    .probe(
      5_000,
      connect({
        tenant: 'tenant-b',
        namespace: 'tenant-b',
        resource: 'pod tenant-a/echo-1:8080 10.0.0.3:30010',
      }),
    );

describe('networkIsolationCheck', () => {
  it('passes when no connection to another tenant’s pods or Services got an answer, saying how each was denied', () => {
    const [verdict] = judge(run().build(), [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 0,
      summary:
        "0 of 3 connections from tenants' pods to other tenants' pods and Services got an answer during the run.",
    });
    expect(verdict!.threshold).to.equal("no answer from another tenant's pods and Services");
    // A refusal by a port where nothing listens holds too: the counts let a reader tell it from a policy's reset.
    expect(verdict!.evidence).to.deep.equal([
      {
        message: 'How they were denied: 2 reset after connecting (ECONNRESET), 1 refused (ECONNREFUSED).',
      },
    ]);
  });

  it('fails naming each connection that got an answer, with what answered', () => {
    const history = run()
      .probe(
        5_000,
        connect({
          resource: 'service tenant-b/echo:80 10.0.0.2:30081',
          status: 200,
          held: false,
          detail: 'got through from inside a pod: answered "HTTP/1.1 200 OK"',
        }),
      )
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'fail',
      measured: 1,
      summary:
        "1 of 4 connections from tenants' pods to other tenants' pods and Services got an answer during the run.",
    });
    expect(verdict!.evidence).to.deep.equal([
      {
        t: 5_000,
        message:
          'A pod of tenant tenant-a (namespace tenant-a) reached service tenant-b/echo:80 10.0.0.2:30081, which must not answer another tenant (got through from inside a pod: answered "HTTP/1.1 200 OK").',
      },
      {
        message:
          'How the others were denied: 2 reset after connecting (ECONNRESET), 1 refused (ECONNREFUSED).',
      },
    ]);
  });

  it('caps the evidence of a big cluster, saying how many connections were left out', () => {
    const builder = run();
    for (let i = 0; i < 25; i++)
      builder.probe(
        6_000,
        connect({ resource: `pod tenant-b/echo-${i}:8080 10.0.0.3:${30100 + i}`, held: false }),
      );
    const [verdict] = judge(builder.build(), [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 25 });
    expect(verdict!.evidence).to.have.length(22);
    expect(verdict!.evidence[20]!.message).to.equal(
      '… and 5 more connections that got an answer not listed.',
    );
  });

  it('judges only the selected tenant’s probe pod', () => {
    const history = run()
      .probe(5_000, connect({ tenant: 'tenant-b', namespace: 'tenant-b', held: false }))
      .build();
    const [a] = judge(history, [spec({ select: { tenant: 'tenant-a' } })]);
    expect(a).to.include({ outcome: 'pass', measured: 0 });
    const [b] = judge(history, [spec({ select: { tenant: 'tenant-b' } })]);
    expect(b).to.include({ outcome: 'fail', measured: 1 });
  });

  it('is unknown when no cross-tenant pod or Service was tried in the window', () => {
    const [verdict] = judge(run().build(), [spec({ window: 'after-heal' })]);
    expect(verdict).to.include({
      outcome: 'unknown',
      measured: null,
      summary:
        'Network isolation could not be judged after the faults were healed: no cross-tenant pod or Service was found to try.',
    });
    expect(verdict!.evidence[0]!.message).to.equal(
      "No connections from probe pods to other tenants' pods or Services between 40 s and 60 s.",
    );
  });

  it('is unknown, saying why, when no probe pod could run because pods are not confined', () => {
    const history = new HistoryBuilder().lifecycle(10_000, 40_000, 41_000, 60_000).probe(5_000).build();
    history.metadata.podConfinement = { confined: false, reason: 'crucible does not run as root' };
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.summary).to.contain(
      'no probe pod ran: pods are not isolated from the control plane on this machine (crucible does not run as root)',
    );
  });

  it('rejects thresholds it does not take', () => {
    const [verdict] = judge(run().build(), [spec({ thresholds: { maxLeaked: 0 } })]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain('maxLeaked');
  });
});
