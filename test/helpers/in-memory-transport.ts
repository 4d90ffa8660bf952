/**
 * A ListeningTransport with the server's end in the test's hands: what the client sends
 * is parsed into `received` at once, and what the test delivers reaches the client at
 * once. Session, barge-in and tool-runner logic run on it with no network and nothing to
 * wait for: after a call returns, its effects are there to assert.
 */
import { EventEmitter } from 'node:events';
import type { ListeningTransport } from '../../src/protocol/transport.js';

export type WireJson = { type: string; [key: string]: unknown };

export class InMemoryTransport extends EventEmitter implements ListeningTransport {
  /** Every event the client sent, in order. */
  readonly received: WireJson[] = [];
  bufferedAmount = 0;
  isOpen = true;

  /** `onClientEvent` plays the server: it may answer with deliver() (the answer arrives after send returns). */
  constructor(private readonly onClientEvent?: (event: WireJson, transport: InMemoryTransport) => void) {
    super();
  }

  send(text: string): void {
    const event = JSON.parse(text) as WireJson;
    this.received.push(event);
    // The answer arrives after the send, as over a network, never inside the client's send call.
    if (this.onClientEvent) queueMicrotask(() => this.onClientEvent?.(event, this));
  }

  /** The server sends `event`: the client receives it now. */
  deliver(event: object): void {
    this.emit('message', JSON.stringify(event));
  }

  async close(code = 1000, reason = ''): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.emit('close', code, reason);
  }
}

/**
 * Resolves once everything already queued has run (answers from `onClientEvent` and all
 * they cause in turn): setImmediate comes after the whole microtask queue, not after a time.
 */
export function drained(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
