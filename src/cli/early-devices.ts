import { readFileSync } from 'node:fs';
import { startEarlySox } from '../audio/early-sox.js';
import { recorderCommand } from '../audio/sox-command.js';
import { AUDIO_FORMAT_NAMES, sampleRateOf, type AudioFormatName } from '../protocol/audio-format.js';
import { defaultConfigPath } from './config-path.js';

/** Words that choose another command, or print something and exit: no conversation, so no SoX. */
const NOT_A_CONVERSATION = new Set(['-h', '--help', '-V', '--version', 'help', 'serve', 'transcribe', 'replay']);

/** Settings a config file may hold that change which devices a conversation opens, or their format. */
const DEVICE_SETTINGS = ['mic', 'no-mic', 'input', 'text', 'once', 'speaker', 'no-speaker', 'modalities', 'audioFormat', 'audio-format'];

/** What a voice conversation's command line says it will open: the microphone, at this rate, and maybe the speaker. */
export interface EarlyDevices {
  readonly sampleRate: number;
  readonly speaker: boolean;
}

/**
 * Read from the command line (and the config file) before anything else of kaiwa is
 * loaded: a conversation that will record the microphone, or undefined. Only a guess, so
 * when in doubt it says no (the devices then start as they always did, a little later);
 * the session takes over what started early only if it asks for exactly the same SoX.
 */
export function earlyDevicesFor(args: readonly string[], readConfig: (path: string) => string = (path) => readFileSync(path, 'utf8')): EarlyDevices | undefined {
  const given = (flag: string): boolean => args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (!isConversation(args)) return undefined;
  if (given('--no-mic') || given('--input') || (given('--text') && given('--once'))) return undefined;
  const configFile = valueOf(args, '--config');
  if (!configLeavesDevices(configFile ?? defaultConfigPath(), configFile !== undefined, readConfig)) return undefined;
  const format = valueOf(args, '--audio-format') ?? 'pcm16';
  if (!(AUDIO_FORMAT_NAMES as readonly string[]).includes(format)) return undefined;
  return { sampleRate: sampleRateOf(format as AudioFormatName), speaker: !given('--no-speaker') && valueOf(args, '--modalities') !== 'text' };
}

/** A conversation (kaiwa's default command), not another command or something printed before exiting. */
export function isConversation(args: readonly string[]): boolean {
  return !args.some((arg) => NOT_A_CONVERSATION.has(arg));
}

/**
 * The CLI entry point's first act: for a voice conversation, the microphone's SoX starts
 * now, on the default device, while the rest of kaiwa is compiled. Not the speaker's: it
 * starts once the microphone's first append has gone (see audio-setup.ts), so its start-up
 * (~10 ms of the event loop, ~40 ms of CPU) does not compete with the microphone's first
 * block. Says what the conversation will open.
 */
export function startEarlyDevices(args: readonly string[]): EarlyDevices | undefined {
  const devices = earlyDevicesFor(args);
  if (!devices) return undefined;
  const recorder = recorderCommand(devices.sampleRate);
  startEarlySox('recorder', recorder.args, recorder.env);
  return devices;
}

/** The last value given for a flag (`--flag value` or `--flag=value`), as commander reads it. */
function valueOf(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, index) => {
    if (arg === flag) value = args[index + 1];
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
  });
  return value;
}

/** No default config file, or a config file that says nothing about devices; one that cannot be read is the session's to report. */
function configLeavesDevices(path: string, explicit: boolean, readConfig: (path: string) => string): boolean {
  let text: string;
  try {
    text = readConfig(path);
  } catch (error) {
    return !explicit && (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  try {
    const settings = JSON.parse(text) as unknown;
    return typeof settings === 'object' && settings !== null && !DEVICE_SETTINGS.some((key) => key in settings);
  } catch {
    return false;
  }
}
