import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

interface LimitDataState {
  transmitted: number;
}

/**
 * Lets `bytes` bytes through per connection and direction, then closes the stream. The count is
 * per connection state, so it survives an update of the toxic.
 */
export const limitDataToxic = defineToxic({
  type: 'limit_data',
  goStruct: 'LimitDataToxic',
  attributes: [{ name: 'bytes', goType: 'int64' }],
  newState: (): LimitDataState => ({ transmitted: 0 }),
  async pipe(stub, { bytes }) {
    const state = stub.state as LimitDataState;
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) return stub.close();
      const remaining = Math.max(0, bytes - state.transmitted);
      const data = chunk.data.length > remaining ? chunk.data.subarray(0, remaining) : chunk.data;
      if (data.length > 0) {
        stub.write({ ...chunk, data });
        state.transmitted += data.length;
      }
      if (bytes - state.transmitted <= 0) return stub.close();
    }
  },
});
