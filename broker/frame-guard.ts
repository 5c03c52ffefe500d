/**
 * A byte bound on incoming MQTT packets. Aedes 1.x (MQTT 3.1.1) has no maximum packet size
 * and its parser buffers a whole packet before anything can refuse it, so a device could
 * make the broker hold up to 256 MB per connection. The guard reads each fixed header as it
 * arrives and closes the connection as soon as a packet announces more than the bound.
 */

import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** Feeds chunks of a byte stream; returns why the stream must be closed, or null. */
export type FrameScanner = (chunk: Buffer) => string | null;

/**
 * Tracks MQTT packet boundaries across chunks: one type byte, a Remaining Length of one to
 * four bytes (7 bits each, high bit = more) [MQTT-2.2.3], then that many bytes of body.
 */
export function createFrameScanner(maxPacketBytes: number): FrameScanner {
  let state: 'type' | 'length' | 'body' = 'type';
  let remainingLength = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let bodyLeft = 0;

  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (state === 'body') {
        const skip = Math.min(bodyLeft, chunk.length - i);
        i += skip;
        bodyLeft -= skip;
        if (bodyLeft === 0) state = 'type';
      } else if (state === 'type') {
        i++;
        state = 'length';
        remainingLength = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else {
        const byte = chunk[i++]!;
        remainingLength += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (byte & 0x80) {
          if (lengthBytes === 4) return 'malformed remaining length';
          continue;
        }
        const packetBytes = 1 + lengthBytes + remainingLength;
        if (packetBytes > maxPacketBytes) return `packet of ${packetBytes} bytes exceeds ${maxPacketBytes}`;
        bodyLeft = remainingLength;
        state = bodyLeft > 0 ? 'body' : 'type';
      }
    }
    return null;
  };
}

export class PacketTooLargeError extends Error {
  override readonly name = 'PacketTooLargeError';
}

/**
 * The socket as Aedes sees it, with the scanner on the way in. Destroying either side
 * destroys the other, so Aedes' `conn.destroy()` really closes the TCP connection.
 */
export class GuardedConnection extends Duplex {
  readonly socket: Socket;

  constructor(socket: Socket, maxPacketBytes: number) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    const scan = createFrameScanner(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      const violation = scan(chunk);
      if (violation !== null) {
        this.destroy(new PacketTooLargeError(violation));
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  // mqtt-packet writes one packet as several small writes under cork(): keep them together.
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) this.socket.write(chunks[i]!.chunk);
    this.socket.write(chunks[chunks.length - 1]!.chunk, callback);
    this.socket.uncork();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
