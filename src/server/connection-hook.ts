/**
 * The one seam the server opens between a socket and its session, for code that must act
 * on the connection itself: `kaiwa/testing`'s FaultInjector drops, expires and refuses
 * connections through it. The server never needs one of its own.
 */
import type { Transport } from '../protocol/transport.js';
import type { SocketSession } from './realtime-server.js';

/** An HTTP answer that turns an upgrade away. */
export interface UpgradeRefusal {
  status: number;
  message: string;
}

/** One accepted WebSocket, below the session. */
export interface HookedSocket {
  readonly dialect: string;
  /** The transport the session gets unless the hook hands it a wrapper. */
  readonly transport: Transport;
  /** Sends a text frame; `done` runs once it has been handed to the operating system. */
  send(text: string, done: () => void): void;
  /** Ends the TCP connection without a close frame. */
  terminate(): void;
  close(code: number, reason: string): void;
  onClose(listener: (code: number) => void): void;
}

export interface ConnectionHook {
  /** Asked on each upgrade: a refusal to answer with instead of accepting it, or undefined. */
  refusal?(): UpgradeRefusal | undefined;
  /**
   * Asked on each accepted socket. Returns the session the server will drive (start,
   * receive, dispose): the one `open` makes over the socket's transport or a wrapper of it,
   * or a wrapper of that session.
   */
  connect(socket: HookedSocket, open: (transport: Transport) => SocketSession): SocketSession;
}
