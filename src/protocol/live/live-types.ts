/**
 * GPT-Live protocol types. As for the Realtime API, the official `openai` package is the
 * reference: its declarations are reused (type-only: nothing from it runs), so kaiwa's
 * Live translation is checked against the shapes the SDK's own `LiveWS` sends and expects.
 */
import type {
  AudioFormat,
  ClientEvent,
  ServerEvent,
  SessionConfig,
  SessionResource,
  SessionUsage,
  ErrorEvent,
} from 'openai/resources/live/live';

export type LiveClientEvent = ClientEvent;
export type LiveServerEvent = ServerEvent;
export type LiveSessionConfig = SessionConfig;
export type LiveSessionResource = SessionResource;
export type LiveAudioFormat = AudioFormat;
export type LiveUsage = SessionUsage;
export type LiveErrorEvent = ErrorEvent;

export type LiveServerEventType = NonNullable<LiveServerEvent['type']>;
export type LiveClientEventType = LiveClientEvent['type'];
export type LiveServerEventOf<T extends LiveServerEventType> = Extract<LiveServerEvent, { type: T }>;
export type LiveClientEventOf<T extends LiveClientEventType> = Extract<LiveClientEvent, { type: T }>;

/** The Live models the SDK names (`SessionConfig.model`); the first is kaiwa's default. */
export const LIVE_MODELS = ['gpt-live-1'] as const;
export const DEFAULT_LIVE_MODEL: string = LIVE_MODELS[0];

/** The keys `session.start` accepts: the SDK's SessionConfig, nothing else. */
export const LIVE_SESSION_CONFIG_KEYS: ReadonlySet<string> = new Set<keyof LiveSessionConfig>([
  'model', 'audio', 'client', 'delegation', 'input', 'instructions', 'store', 'triggers',
]);

/**
 * How long the assistant's output may pause before its reply counts as over. Live has no
 * end-of-turn event; the SDK's TranscriptGrouper closes an assistant segment after this
 * much transcript inactivity (its `assistantSilenceMs` default), and kaiwa does the same.
 */
export const LIVE_ASSISTANT_SILENCE_MS = 2000;

/**
 * A pause in the user's words, in Live's own time (the fragments' start_ms / end_ms), long
 * enough that what follows is a new utterance, not the same one. The SDK's grouper never
 * splits a user segment at all; kaiwa, whose items are turns, splits where the source time
 * shows a pause this long, not where the words merely arrived late (a recognizer that lags).
 */
export const LIVE_USER_PAUSE_MS = 2000;

/**
 * How long after the user's last words, with no reply and no new words arriving, their item
 * is closed anyway, so that a turn Live leaves unanswered still shows. Longer than the pause
 * above: words that arrive late must not split an utterance that went on.
 */
export const LIVE_USER_QUIET_MS = 5000;
