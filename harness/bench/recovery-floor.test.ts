import { expect } from 'chai';
import { TIMING_PROFILES } from '../../orchestrator/api/timing-profile.js';
import { configuredNodeLoss, recoveryFloorMs } from './recovery-floor.js';

describe('recovery floor', () => {
  it('detects a lost node no sooner than the grace period after its last renewal, one renew interval before the kill at most', () => {
    expect(configuredNodeLoss(TIMING_PROFILES.fast)).to.deep.equal({
      earliestDetectionMs: 750,
      latestDetectionMs: 1200,
      earliestEvictionMs: 1750,
    });
  });

  it("follows a grace period overridden on the controller-manager's command line", () => {
    const configured = configuredNodeLoss({ ...TIMING_PROFILES.fast, nodeMonitorGracePeriodMs: 2000 });
    expect(configured).to.deep.equal({
      earliestDetectionMs: 1750,
      latestDetectionMs: 2200,
      earliestEvictionMs: 2750,
    });
  });

  it("gives upstream's defaults their minutes: 40 s to detect at the soonest, 5 min 40 s to evict", () => {
    expect(configuredNodeLoss(TIMING_PROFILES.kubernetes).earliestEvictionMs).to.equal(340_000);
  });

  it('adds one pod start for the replacement', () => {
    expect(
      recoveryFloorMs({ earliestDetectionMs: 750, latestDetectionMs: 1200, earliestEvictionMs: 1750 }, 850),
    ).to.equal(2600);
  });
});
