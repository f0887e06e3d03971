import { INTERRUPTED, TIMED_OUT } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/**
 * Lets nothing through: data is dropped. With `timeout` > 0 the stream is closed once that many ms
 * pass without data arriving (each chunk restarts the wait, as Go's loop does); with 0 it is never
 * closed. Removing the toxic closes the streams it held — Toxiproxy's cleanup, so a client blocked
 * on a dead connection gets an error instead of waiting forever.
 */
export const timeoutToxic = defineToxic({
  type: 'timeout',
  goStruct: 'TimeoutToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  async pipe(stub, { timeout }) {
    for (;;) {
      const chunk = timeout > 0 ? await stub.readWithin(timeout) : await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null || chunk === TIMED_OUT) return stub.close();
    }
  },
  cleanup(stub) {
    stub.close();
  },
});
