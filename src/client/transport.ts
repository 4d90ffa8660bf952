import type { EventEmitter } from 'node:events';

/**
 * The session's only view of the network: text frames in and out. Tests and other
 * transports (a replay, a local in-process server) implement the same small surface.
 * Emits 'message' (text: string), 'close' (code: number, reason: string), 'error' (Error).
 */
export interface Transport extends EventEmitter {
  send(text: string): void;
  /** Bytes queued but not yet written to the network; used to bound memory under backpressure. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  close(code?: number, reason?: string): Promise<void>;
}
