/**
 * A reproducible random source for toxicity rolls, jitter and slicing (mulberry32): the same seed
 * gives the same draws, as toxiproxy-server's `-seed` does for its toxics.
 */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
