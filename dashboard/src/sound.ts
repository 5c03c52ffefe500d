/**
 * The alarm beep (WebAudio, no audio file). Browsers keep an AudioContext suspended until
 * a user gesture, so `unlock()` runs on the login click and on the "enable sound" button;
 * `blocked()` tells the shell to show that button.
 */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = globalThis.AudioContext;
  if (!Ctor) return null;
  ctx = new Ctor();
  return ctx;
}

export async function unlock(): Promise<void> {
  const c = context();
  if (c && c.state === 'suspended') await c.resume().catch(() => {});
}

export function blocked(): boolean {
  const c = context();
  return c ? c.state !== 'running' : false;
}

/**
 * Two short tones, loud enough to be heard across a control room. Returns false when the
 * browser keeps sound blocked; `played` runs once the audio clock has passed the second tone.
 */
export function beep(played?: () => void): boolean {
  const c = context();
  if (c?.state !== 'running') return false;
  const start = c.currentTime;
  for (const [offset, freq] of [
    [0, 880],
    [0.25, 660],
  ] as const) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
    osc.connect(gain).connect(c.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.22);
    // 'ended' fires only when the audio thread has rendered past stop(): the beep really sounded.
    if (played && offset > 0) osc.addEventListener('ended', played, { once: true });
  }
  return true;
}
