import { ProtocolFailure, invalidType, invalidValue, missingParameter, unknownParameter } from '../protocol-failure.js';
import { isRecord, type Json } from '../json-check.js';
import { LIVE_SESSION_CONFIG_KEYS, type LiveAudioFormat, type LiveSessionConfig } from '../../protocol/live/live-types.js';
import { BUILT_IN_VOICES } from '../../protocol/voices.js';

/** What kaiwa serve takes from a Live `session.start`. */
export interface LiveStartRequest {
  config: LiveSessionConfig;
  format: LiveAudioFormat;
  /** The voice as asked for (Live has more names than kaiwa's offline voices, which stand in for it). */
  voice: string;
}

const DEFAULT_VOICE = 'marin';

/**
 * Checks a `session.start` as Live does: only SessionConfig keys, a model, one audio
 * format for both directions (PCM16 at 16 or 24 kHz, G.711 at 8 kHz). kaiwa serve runs
 * no Responses or Decisions backend, so those are refused with a clear error.
 */
export function parseLiveStart(value: unknown): LiveStartRequest {
  if (value === undefined) throw missingParameter('session');
  if (!isRecord(value)) throw invalidType('session', 'an object', value);
  for (const key of Object.keys(value)) {
    if (!LIVE_SESSION_CONFIG_KEYS.has(key)) throw unknownParameter(`session.${key}`);
  }
  if (typeof value.model !== 'string' || value.model.trim() === '') throw missingParameter('session.model');
  const audio = value.audio === undefined ? {} : value.audio;
  if (!isRecord(audio)) throw invalidType('session.audio', 'an object', audio);
  const format = parseFormat(audio.format);
  const voice = parseVoice(audio.output);
  const delegation = value.delegation;
  if (delegation !== undefined && delegation !== null && !(isRecord(delegation) && delegation.type === 'client')) {
    throw new ProtocolFailure('kaiwa serve runs no Responses or Decisions backend: use client delegation (or none).', 'unsupported_delegation', 'session.delegation');
  }
  return { config: value as unknown as LiveSessionConfig, format, voice };
}

function parseFormat(value: unknown): LiveAudioFormat {
  if (value === undefined) return { type: 'audio/pcm', rate: 24000 };
  if (!isRecord(value)) throw invalidType('session.audio.format', 'an object', value);
  if (value.type === 'audio/pcm') {
    if (value.rate !== 24000 && value.rate !== 16000) throw invalidValue('session.audio.format.rate', value.rate, ['16000', '24000']);
    return { type: 'audio/pcm', rate: value.rate };
  }
  if (value.type === 'audio/pcmu' || value.type === 'audio/pcma') {
    if (value.rate !== undefined && value.rate !== 8000) throw invalidValue('session.audio.format.rate', value.rate);
    return { type: value.type, rate: 8000 };
  }
  throw invalidValue('session.audio.format.type', value.type, ['audio/pcm', 'audio/pcmu', 'audio/pcma']);
}

function parseVoice(output: unknown): string {
  if (output === undefined) return DEFAULT_VOICE;
  if (!isRecord(output)) throw invalidType('session.audio.output', 'an object', output);
  const voice = (output as Json).voice;
  if (voice === undefined) return DEFAULT_VOICE;
  if (typeof voice === 'string' && voice.trim()) return voice;
  throw new ProtocolFailure('kaiwa serve has only named voices, no custom voice ids.', 'unsupported_voice', 'session.audio.output.voice');
}

/** The offline voice that speaks for a Live voice name: the same name when kaiwa has it. */
export function localVoiceFor(voice: string): string {
  return (BUILT_IN_VOICES as readonly string[]).includes(voice) ? voice : DEFAULT_VOICE;
}
