// A chaos test in your own suite: crucible's mocha root hooks (.mocharc.json: "require":
// ["crucible/mocha"]) boot one cluster for the whole run and remove it at the end; crucible's chai
// plugin judges a run with the same checks a scenario declares.
import * as chai from 'chai';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { runScenario } from 'crucible';
import { crucibleChai } from 'crucible/chai';
import { sharedCluster } from 'crucible/mocha';

chai.use(crucibleChai);

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

describe('an echo service under faults', () => {
  it('keeps answering while one of its pods is killed', async () => {
    const cluster = sharedCluster();
    await cluster.apply(here('../manifests/echo.yaml'));
    await cluster.waitForReady('default', 'echo');
    const load = await cluster.load({ service: 'default/echo', rate: 20, duration: '6s' });
    const fault = await cluster.faults.inject('pod-kill', 'one', {
      namespace: 'default',
      selector: 'app=echo',
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await fault.heal();
    const { summary } = await load.result;
    expect(summary.count).to.be.greaterThan(50);
    expect(summary.ok / summary.count).to.be.at.least(0.9);
  });

  it('runs a whole experiment, and every check passes', async () => {
    const run = await runScenario(
      {
        name: 'example-pod-kill',
        cluster: { workers: [{ count: 1 }] },
        workloads: [{ manifests: ['manifests/echo.yaml'] }],
        steadyState: { servicesAnswering: ['default/echo'] },
        load: [{ name: 'echo', service: 'default/echo', rate: 20 }],
        faults: {
          schedule: [
            {
              id: 'kill-a-pod',
              type: 'pod-kill',
              target: 'one',
              options: { namespace: 'default' },
              at: '2s',
              for: '3s',
            },
          ],
        },
        checks: [
          {
            name: 'availability',
            type: 'availability',
            window: 'whole-run',
            thresholds: { minSuccessRatio: 0.9 },
          },
        ],
      },
      { dir: here('..'), provider: process.env.CRUCIBLE_PROVIDER ?? 'auto' },
    );
    expect(run).to.passEveryCheck();
    expect(run).to.keepAvailability(0.9, { during: 'kill-a-pod' });
  });
});
