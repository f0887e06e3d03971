import { expect } from 'chai';
import { shownTargets } from './format.js';

describe('shownTargets', () => {
  it('names up to five targets and counts the rest, so a pod-kill of 500 pods stays one line', () => {
    expect(shownTargets(['worker-2'])).to.deep.equal(['worker-2']);
    const pods = Array.from({ length: 499 }, (_, i) => `app-${i}`);
    expect(shownTargets(pods)).to.deep.equal(['app-0', 'app-1', 'app-2', 'app-3', 'app-4', '494 more']);
  });
});
