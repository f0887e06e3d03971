import { expect } from 'chai';
import { simulatedNodesRamp } from './simulated-nodes-bench.js';

describe('simulatedNodesRamp', () => {
  it('doubles from 250 up to the largest size asked for, which it always tries', () => {
    expect(simulatedNodesRamp(1000)).to.deep.equal([250, 500, 1000]);
    expect(simulatedNodesRamp(3000)).to.deep.equal([250, 500, 1000, 2000, 3000]);
    expect(simulatedNodesRamp(100)).to.deep.equal([100]);
  });
});
