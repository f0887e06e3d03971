import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/**
 * Limits throughput to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts). Each chunk waits for
 * its size at that rate; a chunk larger than 100 ms worth is sent in 100 ms slices. The wait is
 * carried over from chunk to chunk, so timer overshoot is paid back and the average rate holds.
 */
export const bandwidthToxic = defineToxic({
  type: 'bandwidth',
  goStruct: 'BandwidthToxic',
  attributes: [{ name: 'rate', goType: 'int64' }],
  async pipe(stub, { rate }) {
    let owedMs = 0;
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) return stub.close();
      if (rate <= 0) {
        // Go's toxic never gets anything through at rate 0 (and crashes below 0): hold until interrupted.
        while (await stub.sleep(60_000));
        return stub.write(chunk);
      }
      owedMs += chunk.data.length / rate;
      const slice = rate * 100;
      let rest = chunk.data;
      while (rest.length > slice) {
        if (!(await stub.sleep(100))) return stub.write({ ...chunk, data: rest });
        stub.write({ ...chunk, data: rest.subarray(0, slice) });
        rest = rest.subarray(slice);
        owedMs -= 100;
      }
      const started = stub.now();
      if (!(await stub.sleep(owedMs))) return stub.write({ ...chunk, data: rest });
      owedMs -= stub.now() - started;
      stub.write({ ...chunk, data: rest });
    }
  },
});
