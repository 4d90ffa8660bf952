/**
 * A transcription session (`session.type: "transcription"`, or a connection opened with
 * `?intent=transcription`): the SDK's RealtimeTranscriptionSessionCreateRequest takes only
 * `type`, `include` and `audio.input`. The input settings are the realtime session's own,
 * so they are validated by the same merge; everything a response would need is refused.
 */
import type { TranscriptionSessionConfig } from '../protocol/events.js';
import { applySessionUpdate, type SessionState } from './session-state.js';
import { onlyKnownKeys, record } from './json-check.js';
import { ECHOED_SESSION_FIELDS, SESSION_OBJECTS, checkEchoedFields } from './echoed-session-fields.js';

const TRANSCRIPTION_SESSION_KEYS = ['type', 'include', 'audio', ...ECHOED_SESSION_FIELDS] as const;

/** Returns the merged configuration, or throws a ProtocolFailure and leaves `current` alone. */
export function applyTranscriptionUpdate(current: SessionState, update: unknown): SessionState {
  const patch = record(update, 'session');
  onlyKnownKeys(patch, 'session', TRANSCRIPTION_SESSION_KEYS);
  checkEchoedFields(patch, 'transcription');
  const audio = patch.audio === undefined ? undefined : record(patch.audio, 'session.audio');
  if (audio) onlyKnownKeys(audio, 'session.audio', ['input']);
  return applySessionUpdate(current, {
    type: 'realtime',
    ...(patch.include !== undefined ? { include: patch.include } : {}),
    ...(audio ? { audio } : {}),
  }, { assistantHasSpoken: false });
}

/** The session object of `session.created` / `session.updated` in a transcription session. */
export function transcriptionSessionForWire(state: SessionState): TranscriptionSessionConfig {
  const { format, transcription, noise_reduction, turn_detection } = state.audio.input;
  return structuredClone({
    type: 'transcription',
    object: SESSION_OBJECTS.transcription,
    id: state.id,
    expires_at: state.expires_at,
    include: state.include,
    audio: { input: { format, transcription, noise_reduction, turn_detection } },
  }) as unknown as TranscriptionSessionConfig;
}
