import type { ClientEvent, ServerEvent } from '../protocol/events.js';

/**
 * What the tool runner needs from a Realtime session: the client's RealtimeSession
 * satisfies it, and tests can hand in anything that does. Declared here so `tools`
 * knows no session class.
 */
export interface ToolSession {
  readonly isOpen: boolean;
  /** True once the session was closed on purpose (not a dropped connection). */
  readonly closing: boolean;
  /** Sends, or holds what cannot go out until the connection is back (a reconnect sends it). */
  send(event: ClientEvent): unknown;
  /** Asks for a response before any queued line, waiting if one is already in flight. */
  createResponseAhead(): void;
  /** Holds the queued lines back until the returned release is called (while a batch runs). */
  holdQueue(): () => void;
  on(event: 'server-event', listener: (event: ServerEvent) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'server-event', listener: (event: ServerEvent) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}
