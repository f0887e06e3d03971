import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { pino } from 'pino';
import { InformerFactory, type ApiClient } from '../api/client/index.js';
import { NetworkPolicyAgent } from './network-policy-agent.js';
import { ProxyHealthServer } from './proxy-health-server.js';
import { ProxyMetrics } from './proxy-metrics.js';

/** The kernel's real socket tables, every socket's owner rewritten to `uid`. */
const tablesOwnedBy = (uid: number) => async (name: 'tcp' | 'tcp6') =>
  (await readFile(`/proc/net/${name}`, 'utf8'))
    .split('\n')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 8 || fields[0] === 'sl') return line;
      fields[7] = String(uid);
      return fields.join(' ');
    })
    .join('\n');

function post(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('NetworkPolicyAgent announcements', () => {
  const serve = async (uid: number) => {
    // Never started: the informers stay empty, which the refusals below do not need.
    const informers = new InformerFactory({} as ApiClient);
    const agent = new NetworkPolicyAgent({
      owner: 'test',
      nodeIp: '127.0.0.1',
      podUids: { first: 200_000, last: 200_255 },
      nodeName: 'worker-1',
      informers,
      log: pino({ level: 'silent' }),
      socketTables: tablesOwnedBy(uid),
    });
    const server = new ProxyHealthServer(() => true, new ProxyMetrics(), agent.announceRoute());
    return { server, port: await server.listen('127.0.0.1', 0) };
  };

  it('hears only root: a pod claiming a user is refused', async () => {
    const { server, port } = await serve(200_001);
    try {
      expect(await post(port, '/network-policy/pods/team-a/web?uid=200001')).to.equal(403);
    } finally {
      await server.close();
    }
  });

  it('refuses an announcement that names no pod or no user', async () => {
    const { server, port } = await serve(0);
    try {
      expect(await post(port, '/network-policy/pods/team-a?uid=200001')).to.equal(400);
      expect(await post(port, '/network-policy/pods/team-a/web?uid=x')).to.equal(400);
      expect(await post(port, '/healthz')).to.equal(405);
    } finally {
      await server.close();
    }
  });
});
