import type { AudioSetup } from './audio-setup.js';
import type { InProcessEchoGuard } from '../client/in-process-echo-guard.js';
import { ResidualEchoGate } from '../client/residual-echo-gate.js';

/** Room echo and the sound server's buffer outlast the last sample played. */
const HALF_DUPLEX_TAIL_MS = 300;

/**
 * Half-duplex: the microphone is closed while the assistant is audible and for a short
 * room-echo tail; with kaiwa's own canceller, only while it says it does not hold.
 */
export function halfDuplexOf(audio: AudioSetup, guard: InProcessEchoGuard | undefined): { audible: () => boolean; tailMs: number } | undefined {
  const speaker = audio.speaker;
  if (!speaker) return undefined;
  if (guard) return { audible: () => speaker.audible && guard.halfDuplex, tailMs: HALF_DUPLEX_TAIL_MS };
  const echoGuard = audio.echoGuard;
  // PulseAudio's canceller may turn out not to load after the conversation began.
  if (echoGuard.mode === 'pulse') return { audible: () => echoGuard.fellBack() && speaker.audible, tailMs: HALF_DUPLEX_TAIL_MS };
  if (echoGuard.mode !== 'half-duplex') return undefined;
  return { audible: () => speaker.audible, tailMs: HALF_DUPLEX_TAIL_MS };
}

/** What captured audio goes through before it is sent: kaiwa's canceller, or the gate behind PulseAudio's. */
export function echoFilterOf(audio: AudioSetup, guard: InProcessEchoGuard | undefined): { filterCaptured?: (pcm: Buffer) => Buffer } {
  if (guard) return { filterCaptured: (pcm) => guard.filter(pcm) };
  const echoGuard = audio.echoGuard;
  if (echoGuard.mode !== 'pulse' || !audio.speaker) return {};
  const gate = new ResidualEchoGate(audio.speaker);
  return { filterCaptured: (pcm) => (echoGuard.fellBack() ? pcm : gate.filter(pcm)) };
}
