/**
 * The desk's optional sounds, generated with the Web Audio API (no sound files): one short high tone
 * for a good scan, two low tones for a refusal. Off unless the staff member turns them on.
 */
let context: AudioContext | undefined;

function tone(audio: AudioContext, frequency: number, start: number, length: number) {
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.type = 'square';
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.08, audio.currentTime + start);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + start + length);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(audio.currentTime + start);
  oscillator.stop(audio.currentTime + start + length);
}

/** Plays the success beep or the error beeps; silently does nothing where audio is unavailable. */
export function beep(kind: 'ok' | 'error'): void {
  try {
    const Audio = globalThis.AudioContext;
    if (!Audio) return;
    context ??= new Audio();
    if (context.state === 'suspended') void context.resume();
    if (kind === 'ok') tone(context, 1760, 0, 0.09);
    else {
      tone(context, 330, 0, 0.14);
      tone(context, 262, 0.18, 0.2);
    }
  } catch {
    // No sound is better than a broken desk.
  }
}
