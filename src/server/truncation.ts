/**
 * `conversation.item.truncate`: the client played only part of an assistant's audio, so
 * the server forgets the rest — the audio after `audio_end_ms` and the same share of the
 * transcript (cut back to a word boundary, since the words were not heard whole).
 */
import { ProtocolFailure } from './protocol-failure.js';
import type { StoredItem } from './conversation-store.js';
import { pcmOffset } from './wire-audio.js';

export function truncateTranscript(transcript: string, keptShare: number): string {
  if (keptShare >= 1) return transcript;
  const cut = Math.floor(transcript.length * Math.max(0, keptShare));
  if (cut >= transcript.length) return transcript;
  const boundary = transcript.lastIndexOf(' ', cut);
  const kept = transcript.slice(0, transcript[cut] === ' ' ? cut : Math.max(0, boundary));
  return kept.trimEnd();
}

/** Applies a truncate to a stored item, or throws the error the service would send. */
export function truncateItem(stored: StoredItem, contentIndex: number, audioEndMs: number): void {
  const item = stored.item;
  const isAssistant = item.type === 'message' && item.role === 'assistant';
  const part = isAssistant ? item.content[contentIndex] : undefined;
  const audio = stored.audio.get(contentIndex);
  if (!isAssistant || part?.type !== 'output_audio' || !audio) {
    throw new ProtocolFailure(
      'Only model output audio messages can be truncated.', 'invalid_value', 'content_index',
    ).saying('not of model output audio');
  }
  if (audioEndMs > audio.durationMs + 0.5) {
    throw new ProtocolFailure(
      `Audio content of ${Math.floor(audio.durationMs)}ms is already shorter than ${audioEndMs}ms.`,
      'invalid_value', 'audio_end_ms',
    ).saying('past the audio sent');
  }
  const share = audio.durationMs > 0 ? audioEndMs / audio.durationMs : 1;
  part.transcript = truncateTranscript(part.transcript ?? '', share);
  if (audio.pcm) audio.pcm = audio.pcm.subarray(0, pcmOffset(audioEndMs, audio.sampleRate));
  audio.durationMs = Math.min(audio.durationMs, audioEndMs);
  audio.truncatedAtMs = audioEndMs;
}
