/**
 * A reproducible random source (mulberry32): the same seed gives the same draws. The harness seeds
 * its random faults, nemeses and toxics with the run's seed, as toxiproxy-server's `-seed` does;
 * a workload seeds its error draws with a string (hashed with FNV-1a). The one definition both
 * sides use, which is why it lives in orchestrator/api.
 */
export function seededRandom(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed | 0 : fnv1a(seed);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}
