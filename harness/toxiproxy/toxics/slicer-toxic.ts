import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic, type ToxicStub } from './toxic-definition.js';

/**
 * Cuts each chunk into pieces of about `average_size` ± `size_variation` bytes, waiting `delay`
 * µs after each, so a reader sees the stream arrive in small, irregular reads.
 */
export const slicerToxic = defineToxic({
  type: 'slicer',
  goStruct: 'SlicerToxic',
  attributes: [
    { name: 'average_size', goType: 'int' },
    { name: 'size_variation', goType: 'int' },
    { name: 'delay', goType: 'int' },
  ],
  async pipe(stub, { average_size, size_variation, delay }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) return stub.close();
      const bounds = sliceBounds(0, chunk.data.length, average_size, size_variation, stub);
      for (let i = 1; i < bounds.length; i += 2) {
        stub.write({ ...chunk, data: chunk.data.subarray(bounds[i - 1], bounds[i]) });
        if (!(await stub.sleep(delay / 1000))) {
          if (bounds[i]! < chunk.data.length) stub.write({ ...chunk, data: chunk.data.subarray(bounds[i]) });
          return;
        }
      }
    }
  },
});

/**
 * Pairs of offsets [start, end, start, end, ...] covering [start, end): split about in half,
 * shifted by up to ± variation, until a piece is within `variation` of the average. Go panics on a
 * zero variation or a zero average; here they mean "no shift" and "at least one byte".
 */
function sliceBounds(
  start: number,
  end: number,
  average: number,
  variation: number,
  stub: ToxicStub,
): number[] {
  const pending: [number, number][] = [[start, end]];
  const bounds: number[] = [];
  while (pending.length > 0) {
    const [from, to] = pending.pop()!;
    if (to - from - Math.max(1, average) <= Math.max(0, variation)) {
      bounds.push(from, to);
      continue;
    }
    const shift = variation > 0 ? Math.floor(stub.random() * variation * 2) - variation : 0;
    const mid = Math.min(to - 1, Math.max(from + 1, from + Math.floor((to - from) / 2) + shift));
    pending.push([mid, to], [from, mid]);
  }
  return bounds;
}
