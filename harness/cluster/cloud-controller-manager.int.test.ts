import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Service } from '../../orchestrator/api/types.js';
import { Kubectl } from '../../testing/kubectl.js';
import { crucible } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import { adminClient } from './cluster-client.js';
import { openCluster } from './open-cluster.js';
import type { RunningCluster } from './running-cluster.js';
import type { ClusterProvider } from './cluster-provider.js';
import { DockerProvider } from './docker-provider.js';
import { dockerEngineAnswers } from './node-image.js';
import { ProcessProvider } from './process-provider.js';
import { labelledProcesses } from './process-reaper.js';

const ECHO_LB = fileURLToPath(new URL('../../scenarios/manifests/echo-lb.yaml', import.meta.url));
const NODES = findResource('', 'v1', 'nodes')!;
const SERVICES = findResource('', 'v1', 'services')!;

function dockerNames(name: string, args = ['ps', '-a']): string[] {
  return execFileSync(
    'docker',
    [...args, '--filter', `label=crucible.dev/cluster=${name}`, '--format', '{{.Names}}'],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
}

/** Requests at `rate` per second until stopped, each on a new connection; counts the outcomes. */
function steadyLoad(url: string, rate: number) {
  const agent = new Agent({ connect: { timeout: 2000 } });
  const counts = { ok: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p = request(url, { dispatcher: agent, reset: true, headersTimeout: 2000, bodyTimeout: 2000 })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode === 200) counts.ok++;
        else counts.failed++;
      })
      .catch(() => void counts.failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / rate);
  return {
    counts,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      await agent.close();
      return { ...counts };
    },
  };
}

/** What differs between the providers: where a balancer lives, and what a cluster leaves behind. */
interface CloudUnderTest {
  provider: ClusterProvider;
  available(): Promise<boolean>;
  /** Whether the balancer of default/echo at `ip` runs (a container, or a local process). */
  balancerRuns(name: string, ip: string): boolean;
  /** Whatever of the cluster is still there after `down`. */
  leftovers(name: string): Promise<string[]>;
}

const clouds: CloudUnderTest[] = [
  {
    provider: new DockerProvider(),
    available: () => dockerEngineAnswers(),
    balancerRuns: (name) => dockerNames(name).includes(`${name}-lb-default-echo`),
    leftovers: async (name) => [...dockerNames(name), ...dockerNames(name, ['network', 'ls'])],
  },
  {
    provider: new ProcessProvider(),
    available: async () => true,
    balancerRuns: (_name, ip) => commandLinesContaining(`load-balancer --bind-address=${ip}`).length > 0,
    leftovers: async (name) => (await labelledProcesses(name)).map((p) => `pid ${p.pid}`),
  },
];

/** Pids of the processes whose command line contains `text`. */
function commandLinesContaining(text: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    });
}

for (const cloud of clouds) {
  const providerName = cloud.provider.name;
  describe(`cloud-controller-manager on the ${providerName} provider (real CLI)`, function () {
    this.timeout(240_000);
    let home: string;
    const name = `ccm${providerName[0]}${process.pid}`;
    let cluster: RunningCluster;
    let client: ApiClient;
    let kubectl: Kubectl;

    before(async function () {
      if (!(await cloud.available())) this.skip();
      home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
      process.env.CRUCIBLE_HOME = home;
      const file = join(home, 'cluster.yaml');
      await writeFile(
        file,
        [
          'apiVersion: crucible.dev/v1alpha1',
          'kind: Cluster',
          `name: ${name}`,
          'controlPlane: {cloudControllerManager: true}',
          'workers: [{count: 3}]',
        ].join('\n'),
      );
      const up = await crucible(home, ['up', '--provider', providerName, '--config', file]);
      expect(up.code, up.stderr).to.equal(0);
      cluster = await openCluster(name);
      client = adminClient(cluster);
      kubectl = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
    });
    after(async () => {
      if (!home) return;
      await client?.close();
      await crucible(home, ['down', name]);
      delete process.env.CRUCIBLE_HOME;
      await rm(home, { recursive: true, force: true });
    });

    it('gives a LoadBalancer Service an ingress answering from the host, keeps serving through a node loss, deletes the lost Node but not a paused one, and removes the balancer with the Service', async () => {
      await kubectl.ok(['apply', '--validate=false', '-f', ECHO_LB]);
      let ip: string | undefined;
      await pollUntil(
        async () => {
          const svc = await client.get<Service>(SERVICES, 'default', 'echo');
          ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
          return ip !== undefined;
        },
        30_000,
        'status.loadBalancer.ingress',
      );
      expect(ip).to.match(/^127\.0\.\d+\.2\d\d$/);
      const url = `http://${ip}:80/`;
      const answers = async () => {
        const res = await request(url, { reset: true, headersTimeout: 2000 }).catch(() => undefined);
        await res?.body.dump();
        return res?.statusCode === 200;
      };
      await pollUntil(answers, 30_000, `echo through the load balancer at ${url}`);
      // Every pod ready, so each worker has its share.
      await kubectl.ok(['rollout', 'status', 'deployment/echo', '--timeout=60s']);

      const load = steadyLoad(url, 50);
      await new Promise((r) => setTimeout(r, 2000));
      const killedAt = Date.now();
      await cluster.kill('worker-2');
      // The node lifecycle controller never deletes a Node: only the cloud's "instance gone" does.
      await pollUntil(
        async () => !(await client.tryGet(NODES, '', 'worker-2')),
        15_000,
        'worker-2 Node deleted',
      );
      const deletedAfterMs = Date.now() - killedAt;
      await new Promise((r) => setTimeout(r, 5000));
      const counts = await load.stop();
      const ratio = counts.ok / (counts.ok + counts.failed);
      console.log(
        `      worker-2's Node deleted ${deletedAfterMs} ms after the kill; through the balancer: ${counts.ok} ok, ${counts.failed} failed (${(ratio * 100).toFixed(2)}%)`,
      );
      expect(ratio).to.be.at.least(0.99);

      await cluster.pause('worker-3');
      try {
        await new Promise((r) => setTimeout(r, 4000));
        expect(await client.tryGet(NODES, '', 'worker-3'), 'a paused worker keeps its Node').to.not.equal(
          undefined,
        );
      } finally {
        await cluster.unpause('worker-3');
      }

      expect(cloud.balancerRuns(name, ip!)).to.equal(true);
      await kubectl.ok(['delete', 'service', 'echo']);
      await pollUntil(() => !cloud.balancerRuns(name, ip!), 15_000, 'the balancer removed');

      await cluster.start('worker-2');
      const down = await crucible(home, ['down', name]);
      expect(down.code, down.stderr).to.equal(0);
      expect(await cloud.leftovers(name)).to.deep.equal([]);
    });
  });
}
