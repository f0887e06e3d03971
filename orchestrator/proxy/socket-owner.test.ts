import { expect } from 'chai';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { localSocketOwner } from './socket-owner.js';

describe('localSocketOwner', () => {
  it('finds the user owning the client end of a local connection in the kernel’s tables', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      const socket = await accepted;
      const owner = await localSocketOwner(socket.remoteAddress!, socket.remotePort!);
      expect(owner).to.equal(process.getuid!());
    } finally {
      client.destroy();
      server.close();
    }
  });

  it('reads an IPv4 address from tcp in host order, a mapped one from tcp6, and skips listeners', async () => {
    const tables = {
      tcp: [
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
        '   0: 0101007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
        '   1: 0101007F:A000 0201007F:1F90 01 00000000:00000000 00:00000000 00000000 200001        0 2',
      ].join('\n'),
      tcp6: '   0: 0000000000000000FFFF00000201007F:B000 0000000000000000FFFF00000101007F:1F90 01 0:0 0:0 0 200300 0 3',
    };
    const read = async (name: 'tcp' | 'tcp6') => tables[name];
    expect(await localSocketOwner('127.0.1.1', 0xa000, read)).to.equal(200001);
    expect(await localSocketOwner('::ffff:127.0.1.2', 0xb000, read)).to.equal(200300);
    expect(await localSocketOwner('127.0.1.1', 0x1f90, read), 'a listener is nobody’s client').to.equal(
      undefined,
    );
    expect(await localSocketOwner('10.0.0.1', 80, read)).to.equal(undefined);
  });
});
