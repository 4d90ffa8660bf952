/**
 * How kaiwa runs SoX for the microphone and the speaker: the binary, its arguments and its
 * environment. Nothing here imports anything, so the CLI's entry point can start SoX with
 * exactly these before the rest of kaiwa is loaded (see early-sox.ts).
 */

/** $KAIWA_SOX overrides the binary (tests use it to simulate a missing or hanging SoX). */
export function soxBinary(): string {
  return process.env['KAIWA_SOX'] || 'sox';
}

/** SoX's I/O block for 20 ms of mono PCM16: small blocks mean low latency both ways. */
export function soxBlockBytes(sampleRate: number): number {
  return Math.max(256, Math.round(sampleRate * 0.02) * 2);
}

/**
 * PulseAudio hands a client that asks for no particular latency (SoX uses the simple
 * API with default buffer attributes) its recording in fragments of about two seconds:
 * measured here, the first audio arrived after 1.2 s and then in 2 s bursts. Asking for
 * 30 ms leaves SoX's stdout buffer (4096 bytes on a pipe) as the limit: 85 ms chunks at
 * 24 kHz, 11.7 a second measured on PulseAudio. Unbuffering SoX's output (LD_PRELOAD of
 * coreutils' libstdbuf) gave ~30 ms chunks, but with 40 ms appends that saves only ~12 ms
 * on average, so it is not done. Only a default: a PULSE_LATENCY_MSEC the user set wins.
 */
export const RECORDER_ENVIRONMENT_DEFAULTS: Readonly<Record<string, string>> = { PULSE_LATENCY_MSEC: '30' };

/**
 * PulseAudio's default playback buffer is about 2 s and it waits for it to fill before
 * starting, which would hold paced audio back and hide what is really audible. Only a
 * default: a PULSE_LATENCY_MSEC the user set wins.
 */
export const PLAYER_ENVIRONMENT_DEFAULTS: Readonly<Record<string, string>> = { PULSE_LATENCY_MSEC: '40' };

/** The command from the article, with the session's rate: mono PCM16 LE on stdout. */
export function recorderArgs(sampleRate: number): string[] {
  return [
    '--buffer', String(soxBlockBytes(sampleRate)),
    '--default-device', '--no-show-progress',
    '--rate', String(sampleRate), '--channels', '1', '--encoding', 'signed-integer', '--bits', '16',
    '--type', 'raw', '-',
  ];
}

/**
 * The command from the article, with the session's rate: mono PCM16 LE from stdin. SoX
 * otherwise waits for an 8 KiB block (170 ms at 24 kHz) before it plays anything; 20 ms
 * blocks keep the speaker close to what kaiwa believes has been heard.
 */
export function playerArgs(sampleRate: number): string[] {
  return [
    '--buffer', String(soxBlockBytes(sampleRate)),
    '--type', 'raw', '--rate', String(sampleRate), '--encoding', 'signed-integer', '--bits', '16', '--channels', '1', '-',
    '--no-show-progress', '--default-device',
  ];
}

/**
 * Our environment plus defaults for variables the user has not set themselves. A
 * PulseAudio device (the echo canceller's) is chosen the way SoX's --default-device
 * looks for one: AUDIODRIVER and AUDIODEV.
 */
export function soxEnvironment(defaults: Readonly<Record<string, string>> = {}, pulseDevice?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) env[name] ??= value;
  if (pulseDevice) Object.assign(env, { AUDIODRIVER: 'pulseaudio', AUDIODEV: pulseDevice });
  return env;
}
