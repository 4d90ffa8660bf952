import { SessionRecorder } from '../recording/session-recorder.js';
import type { RealtimeSession } from '../client/session.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { Logger } from '../logger.js';
import { errorMessage } from '../errors.js';
import type { ProtocolName } from '../protocol/protocols.js';
import { liveAudioField } from '../protocol/live/live-audio.js';
import { LOCAL_CLIENT_EVENTS } from '../protocol/live/live-client-dialect.js';

export interface RecordingOptions {
  dir: string;
  sampleRate: number;
  model: string;
  secrets: string[];
  prices?: PriceOverrides;
  /** Offline: the built-in local server answers, so nothing costs money. */
  free?: boolean;
  protocol?: ProtocolName;
  /** Milliseconds on a monotonic clock, for the recording's times; tests pass their own. */
  now?: () => number;
}

/**
 * `--record DIR`: every event and both voices go to the recorder as the session runs. A
 * GPT-Live session is recorded as its Live frames (kaiwa's own events are translations).
 */
export function recordSession(session: RealtimeSession, options: RecordingOptions, logger: Logger): SessionRecorder {
  const live = options.protocol === 'live';
  const recorder = new SessionRecorder(options.dir, {
    sampleRate: options.sampleRate,
    model: options.model,
    secrets: options.secrets,
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.free ? { free: true } : {}),
    ...(options.now ? { now: options.now } : {}),
    onError: (error) => logger.log('warn', `recording stopped: ${errorMessage(error)}`),
    ...(live ? { wire: { protocol: 'live', isLocal: (event) => LOCAL_CLIENT_EVENTS.has(event.type) } } : {}),
  });
  if (live) session.on('wire', (direction, frame) => recorder.wireEvent(direction, frame, liveAudioField(frame)));
  session.on('client-event', (event) => recorder.clientEvent(event));
  session.on('server-event', (event) => recorder.serverEvent(event));
  return recorder;
}

/**
 * Closes the recording. A recording of the wire ends with the session's last frames
 * (GPT-Live's session.close and the session.closed that answers it), so the session is
 * closed first; it is closed once, whoever asks.
 */
export async function closeRecording(recorder: SessionRecorder, session: RealtimeSession): Promise<void> {
  if (recorder.recordsWire) await session.close(1000).catch(() => undefined);
  await recorder.close();
}
