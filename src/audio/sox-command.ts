/**
 * How kaiwa runs SoX for the microphone and the speaker: the binary, its arguments and its
 * environment. Nothing here imports anything but Node's builtins, so the CLI's entry point can
 * start SoX with exactly these before the rest of kaiwa is loaded (see early-sox.ts).
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

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
 * 24 kHz, 11.7 a second measured on PulseAudio, the first 155-190 ms after SoX's spawn.
 * Only a default: a PULSE_LATENCY_MSEC the user set wins. See recorderCommand() for how
 * that first block comes sooner.
 */
export const RECORDER_ENVIRONMENT_DEFAULTS: Readonly<Record<string, string>> = { PULSE_LATENCY_MSEC: '30' };

/**
 * PulseAudio's default playback buffer is about 2 s and it waits for it to fill before
 * starting, which would hold paced audio back and hide what is really audible. Only a
 * default: a PULSE_LATENCY_MSEC the user set wins.
 */
export const PLAYER_ENVIRONMENT_DEFAULTS: Readonly<Record<string, string>> = { PULSE_LATENCY_MSEC: '40' };

/**
 * SoX's block when its stdout is unbuffered: each block it reads from the device is then one
 * write, so its size sets how often kaiwa wakes up for the microphone. With 960 bytes
 * (20 ms) that was 30 pipe reads a second, each costing kaiwa ~0.3 ms of CPU on a small VM;
 * with 4096, 12-15 a second (7 at 8 kHz), about what a buffered stdout gives, and the first
 * audio 120-140 ms after SoX's spawn at 24 kHz instead of 155-190.
 */
export const UNBUFFERED_RECORDER_BLOCK_BYTES = 4096;

/** The command from the article, with the session's rate: mono PCM16 LE on stdout. */
export function recorderArgs(sampleRate: number, blockBytes = soxBlockBytes(sampleRate)): string[] {
  return [
    '--buffer', String(blockBytes),
    '--default-device', '--no-show-progress',
    '--rate', String(sampleRate), '--channels', '1', '--encoding', 'signed-integer', '--bits', '16',
    '--type', 'raw', '-',
  ];
}

/**
 * The command from the article, with the session's rate: mono PCM16 LE from stdin. SoX
 * otherwise waits for an 8 KiB block (170 ms at 24 kHz) before it plays anything; 20 ms
 * blocks keep the speaker close to what kaiwa believes has been heard. `-V3` makes SoX
 * describe its output once the device is open (see device-open-watch.ts): the moment from
 * which what is written sounds, 60-110 ms after its spawn on PulseAudio, more under load.
 */
export function playerArgs(sampleRate: number): string[] {
  return [
    '-V3', '--buffer', String(soxBlockBytes(sampleRate)),
    '--type', 'raw', '--rate', String(sampleRate), '--encoding', 'signed-integer', '--bits', '16', '--channels', '1', '-',
    '--no-show-progress', '--default-device',
  ];
}

export interface SoxCommand {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The microphone's SoX: the article's command, with its stdout unbuffered where coreutils'
 * libstdbuf can be preloaded (glibc otherwise holds SoX's output until 4 KiB are there,
 * whatever --buffer says, and the first 4 KiB is the last thing the first append waits for).
 * Without libstdbuf (macOS, a system without coreutils' libexec files), the command of old.
 * The CLI's entry point and the recorder both build it here, so the recorder takes over the
 * SoX the entry point started.
 */
export function recorderCommand(sampleRate: number, pulseDevice?: string, { library } = { library: stdbufLibrary() }): SoxCommand {
  const env = soxEnvironment(RECORDER_ENVIRONMENT_DEFAULTS, pulseDevice);
  if (!library) return { args: recorderArgs(sampleRate), env };
  return { args: recorderArgs(sampleRate, UNBUFFERED_RECORDER_BLOCK_BYTES), env: withUnbufferedStdout(env, library) };
}

/**
 * What `stdbuf -o0` does to its command's environment: libstdbuf after any library the user
 * preloads already (theirs stay, and first), and stdout unbuffered.
 */
export function withUnbufferedStdout(env: NodeJS.ProcessEnv, library: string): NodeJS.ProcessEnv {
  const preloaded = env['LD_PRELOAD']?.trim();
  return { ...env, LD_PRELOAD: preloaded ? `${preloaded}:${library}` : library, _STDBUF_O: '0' };
}

/** Where distributions install coreutils' libstdbuf: Debian, Ubuntu, Fedora, Alpine; Arch; openSUSE; a source build. */
const STDBUF_LIBRARIES = [
  '/usr/libexec/coreutils/libstdbuf.so',
  '/usr/lib/coreutils/libstdbuf.so',
  '/usr/lib64/coreutils/libstdbuf.so',
  '/usr/local/libexec/coreutils/libstdbuf.so',
];

let found: { library: string | undefined } | undefined;

/**
 * coreutils' libstdbuf, the library `stdbuf` preloads, or undefined. $KAIWA_LIBSTDBUF names
 * it instead (empty: none, SoX's stdout stays buffered). Looked for once: a few stat() calls,
 * on Linux only (elsewhere LD_PRELOAD means nothing).
 */
export function stdbufLibrary(): string | undefined {
  const chosen = process.env['KAIWA_LIBSTDBUF'];
  if (chosen !== undefined) return chosen || undefined;
  found ??= { library: process.platform === 'linux' ? findStdbufLibrary() : undefined };
  return found.library;
}

/** The first of the usual places that has it, else the one beside a `stdbuf` on the PATH (NixOS, Guix, Homebrew on Linux). */
export function findStdbufLibrary(path = process.env['PATH'] ?? '', files: { exists(file: string): boolean; realpath(file: string): string } = { exists: existsSync, realpath: realpathSync }): string | undefined {
  const usual = STDBUF_LIBRARIES.find((file) => files.exists(file));
  if (usual) return usual;
  for (const dir of path.split(':')) {
    if (!dir.startsWith('/') || !files.exists(`${dir}/stdbuf`)) continue;
    const prefix = dirname(dirname(files.realpath(`${dir}/stdbuf`)));
    const beside = [`${prefix}/libexec/coreutils/libstdbuf.so`, `${prefix}/lib/coreutils/libstdbuf.so`].find((file) => files.exists(file));
    if (beside) return beside;
  }
  return undefined;
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
