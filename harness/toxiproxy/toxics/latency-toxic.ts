import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/**
 * Delays every chunk by `latency` ± `jitter` ms, counted from when the proxy read it, so a steady
 * stream keeps its throughput and only arrives later (Toxiproxy ≥ 2.5 behaviour).
 */
export const latencyToxic = defineToxic({
  type: 'latency',
  goStruct: 'LatencyToxic',
  attributes: [
    { name: 'latency', goType: 'int64' },
    { name: 'jitter', goType: 'int64' },
  ],
  async pipe(stub, { latency, jitter }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) return stub.close();
      // Go: latency + rand.Int63n(2*jitter) - jitter, i.e. an integer in [latency-jitter, latency+jitter).
      const delay = jitter > 0 ? latency + Math.floor(stub.random() * 2 * jitter) - jitter : latency;
      const wait = delay - (stub.now() - chunk.timestamp);
      const slept = await stub.sleep(wait);
      if (!slept) return stub.write(chunk); // interrupted: let it through at once rather than lose it
      // A later latency toxic in the chain then adds its delay on top of this one.
      chunk.timestamp += wait;
      stub.write(chunk);
    }
  },
});
