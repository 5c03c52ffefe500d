/**
 * A byte bound on incoming MQTT packets. Aedes 1.x (MQTT 3.1.1) has no maximum packet size
 * and its parser buffers a whole packet before anything can refuse it, so a device could
 * make the broker hold up to 256 MB per connection. The guard reads each fixed header as it
 * arrives and closes the connection as soon as a packet announces more than the bound.
 */

import type { Socket } from 'node:net';

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
 * Puts the scanner on a socket that Aedes reads in paused mode ('readable' + read()). With a
 * 'readable' listener present, Node emits 'data' from inside each read() for the chunk it
 * returns, before Aedes' parser gets it, so the scanner sees every byte first and the
 * socket is destroyed before an oversized packet is buffered (at most the chunk that
 * announced it reaches the parser). Attach after `aedes.handle(socket)`, which adds the
 * 'readable' listener: the 'data' listener then does not switch the socket to flowing mode.
 * No wrapper stream: every chunk and every write passes one stream layer, not two.
 */
export function guardSocket(
  socket: Socket,
  maxPacketBytes: number,
  onViolation: (reason: string) => void,
): void {
  const scan = createFrameScanner(maxPacketBytes);
  socket.on('data', (chunk: Buffer) => {
    const violation = scan(chunk);
    if (violation === null) return;
    onViolation(violation);
    socket.destroy(new PacketTooLargeError(violation));
  });
}
