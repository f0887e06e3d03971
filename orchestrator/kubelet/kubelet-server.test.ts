import { expect } from 'chai';
import { request } from 'undici';
import type { Summary } from '../api/stats-summary.js';
import { KubeletMetrics, KubeletServer } from './kubelet-server.js';

const SUMMARY: Summary = {
  node: {
    nodeName: 'worker-1',
    startTime: '2026-01-01T00:00:00Z',
    cpu: { time: '2026-01-01T00:00:05Z', usageNanoCores: 5, usageCoreNanoSeconds: 50 },
    memory: { time: '2026-01-01T00:00:05Z', workingSetBytes: 4096, rssBytes: 4096, usageBytes: 4096 },
  },
  pods: [],
};

describe('KubeletServer /stats/summary', () => {
  let server: KubeletServer;
  let port: number;
  let windowMs: number | undefined;

  beforeEach(async () => {
    windowMs = 1003;
    server = new KubeletServer(
      {
        pods: () => [],
        containerLogs: async () => undefined,
        statsSummary: () => ({ summary: SUMMARY, ...(windowMs !== undefined ? { windowMs } : {}) }),
      },
      new KubeletMetrics(() => []),
    );
    port = await server.start('127.0.0.1', 0);
  });
  afterEach(() => server.stop());

  it('serves the Summary as JSON, the window of its rates in a header of its own', async () => {
    const answer = await request(`http://127.0.0.1:${port}/stats/summary?only_cpu_and_memory=true`);
    expect(answer.statusCode).to.equal(200);
    expect(answer.headers['content-type']).to.equal('application/json');
    expect(answer.headers['x-crucible-stats-window-ms']).to.equal('1003');
    expect(await answer.body.json()).to.deep.equal(SUMMARY);
  });

  it('leaves the header out before there is a rate', async () => {
    windowMs = undefined;
    const answer = await request(`http://127.0.0.1:${port}/stats/summary`);
    expect(answer.headers).to.not.have.property('x-crucible-stats-window-ms');
    await answer.body.dump();
  });

  it('refuses a write', async () => {
    const answer = await request(`http://127.0.0.1:${port}/stats/summary`, { method: 'POST' });
    expect(answer.statusCode).to.equal(405);
    await answer.body.dump();
  });
});
