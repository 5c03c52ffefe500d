/**
 * A plain Aedes broker (no auth, in-memory persistence) on a free or given port, for the
 * ingest's integration tests until broker/'s createBroker lands. Persistent sessions work:
 * Aedes queues QoS 1 messages for an offline `clean: false` subscriber.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface PlainBroker {
  port: number;
  url: string;
  aedes: Aedes;
  stop(): Promise<void>;
}

export async function startPlainBroker(port = 0): Promise<PlainBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    aedes,
    async stop() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
