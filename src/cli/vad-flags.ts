import { Option, type Command } from 'commander';
import { numberIn } from './parse-values.js';
import type { TurnDetection } from '../protocol/events.js';

export type VadMode = 'server' | 'semantic' | 'none';
export type Eagerness = 'low' | 'medium' | 'high' | 'auto';

/** The turn-detection flags, as a command has them after parsing. */
export interface VadFlags {
  vad: VadMode;
  vadThreshold?: number | undefined;
  silenceMs?: number | undefined;
  prefixMs?: number | undefined;
  eagerness?: Eagerness | undefined;
}

/** Declares `--vad` and its tuning flags (the conversation's, so both commands read the same). */
export function addVadOptions(command: Command): Command {
  return command
    .addOption(new Option('--vad <mode>', 'turn detection: server, semantic or none (push-to-talk / manual)').choices(['server', 'semantic', 'none']).default('server'))
    .addOption(new Option('--vad-threshold <0..1>', 'server VAD sensitivity threshold').argParser(numberIn(0, 1)))
    .addOption(new Option('--silence-ms <ms>', 'server VAD: silence that ends your turn').argParser(numberIn(0, 10000, true)))
    .addOption(new Option('--prefix-ms <ms>', 'server VAD: audio kept before speech starts').argParser(numberIn(0, 10000, true)))
    .addOption(new Option('--eagerness <level>', 'semantic VAD eagerness').choices(['low', 'medium', 'high', 'auto']));
}

/** The session's `turn_detection`: null for none, otherwise only what the user set (server defaults stay the server's). */
export function turnDetectionFrom(flags: VadFlags): TurnDetection | null {
  if (flags.vad === 'none') return null;
  if (flags.vad === 'semantic') {
    return { type: 'semantic_vad', ...(flags.eagerness ? { eagerness: flags.eagerness } : {}) };
  }
  return {
    type: 'server_vad',
    ...(flags.vadThreshold !== undefined ? { threshold: flags.vadThreshold } : {}),
    ...(flags.prefixMs !== undefined ? { prefix_padding_ms: flags.prefixMs } : {}),
    ...(flags.silenceMs !== undefined ? { silence_duration_ms: flags.silenceMs } : {}),
  };
}
