import { SessionRecorder } from '../recording/session-recorder.js';
import type { RealtimeSession } from '../client/session.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { Logger } from '../logger.js';
import { errorMessage } from '../errors.js';

export interface RecordingOptions {
  dir: string;
  sampleRate: number;
  model: string;
  secrets: string[];
  prices?: PriceOverrides;
  /** Offline: the built-in local server answers, so nothing costs money. */
  free?: boolean;
}

/** `--record DIR`: every event and both voices go to the recorder as the session runs. */
export function recordSession(session: RealtimeSession, options: RecordingOptions, logger: Logger): SessionRecorder {
  const recorder = new SessionRecorder(options.dir, {
    sampleRate: options.sampleRate,
    model: options.model,
    secrets: options.secrets,
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.free ? { free: true } : {}),
    onError: (error) => logger.log('warn', `recording stopped: ${errorMessage(error)}`),
  });
  session.on('client-event', (event) => recorder.clientEvent(event));
  session.on('server-event', (event) => recorder.serverEvent(event));
  return recorder;
}
