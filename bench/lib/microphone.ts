/**
 * The duplex clients' microphone: by default a timer that sends espeak-ng speech in 20 ms
 * blocks (the same for every client, no device needed); with BENCH_DEVICES=sox the real
 * SoX recorder on the default device (bench/run.ts points it at a private PulseAudio), so
 * the audio arrives the way it does for a user (SoX delivers 4096-byte chunks, 85 ms).
 */
import type { AudioSource } from '../../src/audio/devices.js';
import { SoxRecorder } from '../../src/audio/sox-recorder.js';
import { espeakPcm } from '../../test/helpers/bench-speech.js';
import { TimerSource, looping } from './timer-source.js';

export const realDevices = process.env.BENCH_DEVICES === 'sox';

export function benchMicrophone(): AudioSource {
  if (realDevices) return new SoxRecorder({ sampleRate: 24000 });
  return new TimerSource(24000, looping(espeakPcm('Hello, what is the weather like today?')));
}
