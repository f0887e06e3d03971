import { expect } from 'chai';
import { pollUntil } from '../../harness/support/poll-until.js';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Job, Pod } from '../api/types.js';
import { JobController } from './job-controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const JOBS = findResource('batch', 'v1', 'jobs')!;

/**
 * The Job controller's counts over a real apiserver and etcd, with the test playing the kubelet
 * (it finishes pods by writing their status): a finished pod that is deleted stays counted.
 */
describe('JobController counts (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [new JobController(ctx)]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  const livePods = async () =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: 'job-name=counted' })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const job = () => client.get<Job>(JOBS, 'default', 'counted');
  /** Finishes the one running pod as its kubelet would, and returns its name. */
  const succeedRunningPod = async (): Promise<string> => {
    let running: Pod | undefined;
    await pollUntil(
      async () =>
        (running = (await livePods()).find((p) => !p.status?.phase || p.status.phase === 'Pending')) !==
        undefined,
      10_000,
      'a pod to finish',
    );
    await client.patch(
      PODS,
      'default',
      running!.metadata.name!,
      { status: { phase: 'Succeeded' } },
      'merge',
      'status',
    );
    return running!.metadata.name!;
  };

  it('keeps a finished pod counted after it is deleted: no completion is run twice, and the count never goes down', async () => {
    await client.create<Job>(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'counted', namespace: 'default' },
      spec: {
        completions: 2,
        parallelism: 1,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'crucible/sleeper' }] },
        },
      },
    });
    const first = await succeedRunningPod();
    await pollUntil(async () => (await job()).status?.succeeded === 1, 10_000, 'one success counted');
    await client.delete(PODS, 'default', first, { gracePeriodSeconds: 0 });
    await pollUntil(
      async () => (await client.tryGet<Pod>(PODS, 'default', first)) === undefined,
      10_000,
      'pod gone',
    );
    // The second completion's pod, and only it: the first one's is not run again.
    await succeedRunningPod();
    await pollUntil(
      async () =>
        (await job()).status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false,
      10_000,
      'the Job Complete',
    );
    expect((await job()).status?.succeeded).to.equal(2);
    const all = (await client.list<Pod>(PODS, 'default', { labelSelector: 'job-name=counted' })).items;
    expect(all.length, 'pods made in all, the deleted one aside').to.equal(1);
    // Deleting a finished Job's pods takes none of its completions back.
    for (const p of all) await client.delete(PODS, 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await job()).status?.succeeded).to.equal(2);
  });
});
