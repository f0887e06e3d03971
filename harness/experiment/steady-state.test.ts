import { expect } from 'chai';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { Service } from '../../orchestrator/api/types.js';
import { scenarioLoad as load } from '../../testing/scenario-load.js';
import { serviceProbeTargets } from './steady-state.js';

const workers = [
  { name: 'worker-1', ip: '127.0.1.1' },
  { name: 'worker-2', ip: '127.0.1.2' },
];

/** A client holding one Service, of the ports given. */
const holding = (ports: NonNullable<Service['spec']['ports']>) =>
  ({
    get: async () => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'app' },
      spec: { ports },
    }),
  }) as unknown as Pick<ApiClient, 'get'>;

describe('where the steady state probes a Service', () => {
  const url = 'http://127.0.0.1:8080/';

  it("through every worker's node port, even when a load has a url but goes by node port", async () => {
    const client = holding([{ port: 80, nodePort: 30080 }]);
    const expected = [
      { url: 'http://127.0.1.1:30080', node: 'worker-1' },
      { url: 'http://127.0.1.2:30080', node: 'worker-2' },
    ];
    expect(await serviceProbeTargets(client, workers, [], 'app/web')).to.deep.equal(expected);
    expect(await serviceProbeTargets(client, workers, [load({ url })], 'app/web')).to.deep.equal(expected);
  });

  it("at the load's url when the load goes via url, or the Service has no node port", async () => {
    const nodePort = holding([{ port: 80, nodePort: 30080 }]);
    const clusterIp = holding([{ port: 80 }]);
    expect(
      await serviceProbeTargets(nodePort, workers, [load({ via: 'url', url })], 'app/web'),
    ).to.deep.equal([{ url }]);
    expect(await serviceProbeTargets(clusterIp, workers, [load({ url })], 'app/web')).to.deep.equal([
      { url },
    ]);
  });

  it('says a Service without node port or url cannot be probed, and ignores the url of another Service', async () => {
    const clusterIp = holding([{ port: 80 }]);
    const other = load({ service: 'app/other', url });
    for (const loads of [[], [other]])
      await serviceProbeTargets(clusterIp, workers, loads, 'app/web').then(
        () => expect.fail('probed'),
        (e: Error) => expect(e.message).to.include('has no node port'),
      );
  });
});
