import type { EventEmitter } from 'node:events';

/**
 * One text-frame connection to the peer, as either end sends on it. The server's
 * sessions write to one; the client's session uses the listening kind below.
 */
export interface Transport {
  send(text: string): void;
  /** Bytes queued but not yet written to the network; used to bound memory under backpressure. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  close(code?: number, reason?: string): void | Promise<void>;
}

/**
 * A Transport that also reports what arrives: 'message' (text: string), 'close' (code:
 * number, reason: string), 'error' (Error). The client session's only view of the network;
 * tests and other transports (a replay, a local in-process server) implement the same surface.
 */
export interface ListeningTransport extends Transport, EventEmitter {
  close(code?: number, reason?: string): Promise<void>;
  /**
   * The user muted (or unmuted) the microphone, for a peer that is told so (GPT-Live mutes
   * its model's input); peers without the notion leave it out, and silence says it all.
   */
  muteInput?(muted: boolean): void;
  /**
   * Whether the event sent with this id is still held here, never put on the wire (GPT-Live
   * takes nothing until its session has started): what the server never got was not sent.
   * Transports that send everything at once leave it out.
   */
  holds?(eventId: string): boolean;
}
