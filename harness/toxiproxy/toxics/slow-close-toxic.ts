import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/** Lets data through but holds the end of the stream (the close) for `delay` ms. */
export const slowCloseToxic = defineToxic({
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  attributes: [{ name: 'delay', goType: 'int64' }],
  async pipe(stub, { delay }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) {
        // Interrupted while holding the close: the next toxic run reads the end again and decides.
        if (await stub.sleep(delay)) stub.close();
        return;
      }
      stub.write(chunk);
    }
  },
});
