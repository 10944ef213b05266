import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** Ports already returned by this process, so that two calls in a row never return the same port. */
const handedOut = new Set<number>();
const MAX_ATTEMPTS = 20;

/**
 * Returns a port on 127.0.0.1 that the kernel just reported free for `protocol`.
 * NOTE: another process may take the port before the caller binds it; the bind then fails with
 * "address already in use".
 */
export async function freePort(protocol: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = protocol === 'tcp' ? await probeTcp() : await probeUdp();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }

  throw new Error(`no free ${protocol} port on 127.0.0.1 after ${MAX_ATTEMPTS} attempts`);
}

function probeTcp(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the TCP probe socket has no port'));
      });
    });
  });
}

function probeUdp(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
