/**
 * Per-device `seq` bookkeeping for dedup and gap counting. A sliding window of the last
 * 1,024 sequence numbers (the anti-replay window of IPsec, RFC 4303 §3.4.3) tells a QoS 1
 * resend (bit already set) from a late message filling a hole (bit clear), so reordering
 * across a reconnect neither double-counts nor loses a message. A jump beyond
 * MAX_COUNTED_JUMP either way is a restart, never billions of gaps.
 */

export const SEQUENCE_WINDOW = 1024;
const WORDS = SEQUENCE_WINDOW / 32;

/**
 * The longest forward jump counted as lost messages: 2^20, twelve days of a device sending
 * once a second without pause (the densest rate in the protocol), far more than any outbox
 * holds. A longer jump is a counter that was reset or corrupted, not a loss a count can
 * describe: it is a restart, like a counter that goes back. This also keeps `missing` and the
 * gaps gauge summed from it small, safe integers whatever `seq` a device sends.
 */
export const MAX_COUNTED_JUMP = 2 ** 20;

export interface SequenceState {
  /** Highest seq seen, -1 before the first message. */
  max: number;
  /** The block this state's window lives in (SEQUENCE_WINDOW bits from word `offset`; see newWindow). */
  readonly block: Uint32Array;
  readonly offset: number;
  /** Sequence numbers skipped and not (yet) arrived. */
  missing: number;
  duplicates: number;
  /**
   * Times the counter went back further than the window or forward further than
   * MAX_COUNTED_JUMP: a device restart (or a counter reset).
   */
  restarts: number;
}

export function newSequenceState(): SequenceState {
  const { block, offset } = newWindow();
  return { max: -1, block, offset, missing: 0, duplicates: 0, restarts: 0 };
}

/**
 * Windows are cut from shared blocks of 64 (8 KB), and a state keeps its block and offset: a
 * Uint32Array per car costs ~200 B of heap beside its 128 B (an ArrayBuffer object and a typed
 * array), a view into a shared buffer still ~110 B; two numbers in the state, 16 B
 * (bench/worker-memory.ts). A block is freed once no state points to it; the window of a
 * forgotten car is not reused, so a block outlives its first cars only while later ones live.
 */
const WINDOWS_PER_BLOCK = 64;
let block = new Uint32Array(0);
let blockUsed = WINDOWS_PER_BLOCK;

function newWindow(): { block: Uint32Array; offset: number } {
  if (blockUsed === WINDOWS_PER_BLOCK) {
    block = new Uint32Array(WINDOWS_PER_BLOCK * WORDS);
    blockUsed = 0;
  }
  const offset = blockUsed * WORDS;
  blockUsed += 1;
  return { block, offset };
}

/** The window's words, for a checkpoint (JSON). */
export function windowWords(state: SequenceState): number[] {
  return Array.from(state.block.subarray(state.offset, state.offset + WORDS));
}

/** Puts back words `windowWords` gave (extra words ignored, missing ones left as they are). */
export function restoreWindow(state: SequenceState, words: readonly number[]): void {
  state.block.set(words.slice(0, WORDS), state.offset);
}

/** What one seq did to the state: `gapDelta` is the change in missing numbers (may be negative). */
export type SequenceVerdict = { duplicate: true } | { duplicate: false; gapDelta: number };

const DUPLICATE: SequenceVerdict = { duplicate: true };
const IN_ORDER: SequenceVerdict = { duplicate: false, gapDelta: 0 };
const FILLED_GAP: SequenceVerdict = { duplicate: false, gapDelta: -1 };

function hasBit(state: SequenceState, seq: number): boolean {
  const bit = seq % SEQUENCE_WINDOW;
  return ((state.block[state.offset + (bit >>> 5)]! >>> (bit & 31)) & 1) === 1;
}

function setBit(state: SequenceState, seq: number): void {
  const bit = seq % SEQUENCE_WINDOW;
  state.block[state.offset + (bit >>> 5)]! |= 1 << (bit & 31);
}

function clearBit(state: SequenceState, seq: number): void {
  const bit = seq % SEQUENCE_WINDOW;
  state.block[state.offset + (bit >>> 5)]! &= ~(1 << (bit & 31));
}

function clearWindow(state: SequenceState): void {
  state.block.fill(0, state.offset, state.offset + WORDS);
}

function restart(state: SequenceState, seq: number): SequenceVerdict {
  state.restarts += 1;
  clearWindow(state);
  state.max = seq;
  setBit(state, seq);
  return IN_ORDER;
}

export function observeSequence(state: SequenceState, seq: number): SequenceVerdict {
  // The schema keeps seq a safe integer; one that is not cannot be compared exactly
  // (2^63 + 1 === 2^63), so it is passed on untracked rather than deduplicated wrongly.
  if (!Number.isSafeInteger(seq) || seq < 0) return IN_ORDER;
  if (state.max < 0) {
    state.max = seq;
    setBit(state, seq);
    return IN_ORDER;
  }
  if (seq - state.max > MAX_COUNTED_JUMP) return restart(state, seq);
  if (seq > state.max) {
    const skipped = seq - state.max - 1;
    if (skipped + 1 >= SEQUENCE_WINDOW) clearWindow(state);
    else for (let s = state.max + 1; s < seq; s++) clearBit(state, s);
    state.max = seq;
    setBit(state, seq);
    state.missing += skipped;
    return skipped === 0 ? IN_ORDER : { duplicate: false, gapDelta: skipped };
  }
  if (state.max - seq >= SEQUENCE_WINDOW) {
    // Too old to remember: a device that lost its counter restarts low. Start afresh rather
    // than drop everything it sends until it catches up with the old counter.
    return restart(state, seq);
  }
  if (hasBit(state, seq)) {
    state.duplicates += 1;
    return DUPLICATE;
  }
  setBit(state, seq);
  if (state.missing > 0) {
    state.missing -= 1;
    return FILLED_GAP;
  }
  return IN_ORDER;
}
