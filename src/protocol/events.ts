/**
 * GA protocol types. The official `openai` package is the reference for the wire format,
 * so kaiwa reuses its declarations (type-only: nothing from it runs) instead of keeping a
 * second copy that would drift.
 */
import type {
  RealtimeClientEvent,
  RealtimeServerEvent,
  RealtimeSessionCreateRequest,
  RealtimeTranscriptionSessionCreateRequest,
  RealtimeResponseCreateParams,
  RealtimeResponseUsage,
  RealtimeResponse,
  RealtimeError,
  RealtimeAudioFormats,
  RealtimeAudioInputTurnDetection,
  RealtimeFunctionTool,
  ConversationItem,
} from 'openai/resources/realtime/realtime';

export type ClientEvent = RealtimeClientEvent;
export type ServerEvent = RealtimeServerEvent;
export type SessionConfig = RealtimeSessionCreateRequest;
/** A transcription-only session: `type`, `include` and `audio.input`, nothing a response needs. */
export type TranscriptionSessionConfig = RealtimeTranscriptionSessionCreateRequest;
export type ResponseParams = RealtimeResponseCreateParams;
export type Usage = RealtimeResponseUsage;
export type Response = RealtimeResponse;
export type ProtocolError = RealtimeError;
export type WireAudioFormat = RealtimeAudioFormats;
export type TurnDetection = RealtimeAudioInputTurnDetection;
export type FunctionTool = RealtimeFunctionTool;
export type Item = ConversationItem;

export type ServerEventType = ServerEvent['type'];
export type ClientEventType = ClientEvent['type'];

/** The member of a discriminated union whose `type` is T. */
export type ServerEventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;
export type ClientEventOf<T extends ClientEventType> = Extract<ClientEvent, { type: T }>;

/** A JSON object as it travels on the socket, before any dialect translation. */
export type WireEvent = { type: string; [key: string]: unknown };

export function isWireEvent(value: unknown): value is WireEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    && typeof (value as { type?: unknown }).type === 'string';
}
