import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/**
 * Resets the connection (TCP RST: the peer sees ECONNRESET) `timeout` ms after the next data — or
 * the end of the stream — reaches it; what arrived is dropped.
 */
export const resetPeerToxic = defineToxic({
  type: 'reset_peer',
  goStruct: 'ResetToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  async pipe(stub, { timeout }) {
    const chunk = await stub.read();
    if (chunk === INTERRUPTED) return;
    // Go's wait here cannot be interrupted (an update would hang until it fires); this one can.
    if (await stub.sleep(timeout)) stub.reset();
  },
});
