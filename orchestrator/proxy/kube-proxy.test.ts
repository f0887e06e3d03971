import { expect } from 'chai';
import { pino } from 'pino';
import { freePort } from '../../harness/cluster/local-control-plane.js';
import { ApiClient } from '../api/client/index.js';
import { KubeProxy } from './kube-proxy.js';

describe('KubeProxy', () => {
  it('answers /healthz 503 until it has synced, serves /metrics, and stops twice without harm', async () => {
    const client = new ApiClient({ servers: [`http://127.0.0.1:${await freePort()}`], retries: 0 });
    const proxy = new KubeProxy({
      client,
      nodeName: 'node-1',
      bindAddress: '127.0.0.1',
      healthzPort: 0,
      log: pino({ level: 'silent' }),
    });
    try {
      const { healthzPort } = await proxy.start();
      const healthz = await fetch(`http://127.0.0.1:${healthzPort}/healthz`);
      expect(healthz.status).to.equal(503);
      expect(proxy.hasSynced()).to.equal(false);
      const metrics = await fetch(`http://127.0.0.1:${healthzPort}/metrics`);
      expect(metrics.status).to.equal(200);
      expect(await metrics.text()).to.contain('# TYPE kubeproxy_connections_total counter');
      await proxy.stop();
      await proxy.stop();
      const after = await fetch(`http://127.0.0.1:${healthzPort}/healthz`).catch(() => undefined);
      expect(after).to.equal(undefined);
      let error: unknown;
      await proxy.start().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(RangeError);
    } finally {
      await proxy.stop();
      await client.close();
    }
  });
});
