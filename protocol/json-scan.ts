/**
 * Decoding a device payload: size and nesting are checked on the raw bytes before
 * JSON.parse. The scan is one pass, one counter, no recursion and no allocation, so a
 * payload 100,000 brackets deep costs what its bytes cost and is refused before the parser,
 * the validator or any serialiser that recurses (JSON.stringify, line protocol, Fastify's
 * reply) can meet it. The ingest and the API both decode device messages through here.
 */
import { PAYLOAD_MAX_BYTES, PAYLOAD_MAX_DEPTH } from './bounds.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Why `bytes` nests objects and arrays deeper than `maxDepth`, or null. Only brackets
 * outside strings count; UTF-8 continuation bytes are ≥ 0x80, so no multi-byte character
 * can be mistaken for a bracket or a quote. Malformed JSON is left for JSON.parse to name.
 */
export function excessNesting(bytes: Uint8Array, maxDepth: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return `nested deeper than ${maxDepth} levels (at byte ${i})`;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return null;
}

export type DecodeResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Payload bytes → JSON value, refusing what is over the protocol's size or nesting bound first. */
export function decodePayload(bytes: Buffer): DecodeResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty payload' };
  if (bytes.length > PAYLOAD_MAX_BYTES)
    return { ok: false, reason: `payload of ${bytes.length} bytes exceeds ${PAYLOAD_MAX_BYTES}` };
  const nesting = excessNesting(bytes, PAYLOAD_MAX_DEPTH);
  if (nesting !== null) return { ok: false, reason: `payload ${nesting}` };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
}
