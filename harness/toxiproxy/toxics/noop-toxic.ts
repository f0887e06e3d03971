import { INTERRUPTED } from '../stream-queue.js';
import { defineToxic } from './toxic-definition.js';

/**
 * Passes everything through unchanged. Also what runs in place of a toxic on a connection its
 * `toxicity` roll spared.
 */
export const noopToxic = defineToxic({
  type: 'noop',
  goStruct: 'NoopToxic',
  attributes: [],
  async pipe(stub) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) return stub.close();
      stub.write(chunk);
    }
  },
});
