import { EventEmitter } from 'node:events';
import type { ListeningTransport } from '../transport.js';
import { isWireEvent, type ClientEvent, type ServerEvent, type WireEvent } from '../events.js';
import { LiveClientDialect } from './live-client-dialect.js';

export interface LiveTransportOptions {
  notice?: (line: string) => void;
  delegateModel?: string | undefined;
  assistantSilenceMs?: number;
  /** How long close() waits for `session.closed` (Live's final usage) before closing the socket anyway. */
  closeWaitMs?: number;
}

/**
 * A GA-speaking transport over a Live socket: kaiwa's session writes and reads Realtime
 * events as always, and the stateful LiveClientDialect translates at this edge, including
 * events that happen with nothing on the wire (a reply that ends in silence). Every Live
 * frame that crosses is also told as 'wire' (direction, frame), for a recording of the wire.
 */
export class LiveTransport extends EventEmitter implements ListeningTransport {
  private readonly dialect: LiveClientDialect;
  private closing: Promise<void> | undefined;
  private sessionClosed: (() => void) | undefined;
  private eventCounter = 0;

  constructor(private readonly inner: ListeningTransport, private readonly options: LiveTransportOptions = {}) {
    super();
    this.dialect = new LiveClientDialect({
      deliver: (events) => this.deliver(events),
      sendWire: (events) => this.sendWire(events),
      notice: options.notice,
      delegateModel: options.delegateModel,
      ...(options.assistantSilenceMs !== undefined ? { assistantSilenceMs: options.assistantSilenceMs } : {}),
    });
    inner.on('message', (text: string) => this.receive(text));
    inner.on('close', (code: number, reason: string) => {
      this.deliver(this.dialect.dispose());
      this.sessionClosed?.();
      this.emit('close', code, reason);
    });
    inner.on('error', (error: Error) => this.emit('error', error));
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.inner.isOpen && this.closing === undefined;
  }

  send(text: string): void {
    const { wire, local } = this.dialect.clientToWire(JSON.parse(text) as ClientEvent);
    this.sendWire(wire);
    if (local.length) queueMicrotask(() => this.deliver(local));
  }

  /** Mutes or unmutes the model's input on Live's side (held, like everything, until the session has started). */
  muteInput(muted: boolean): void {
    this.sendWire(this.dialect.liveCommand({ type: muted ? 'session.input_audio.mute' : 'session.input_audio.unmute', event_id: this.nextEventId() }));
  }

  holds(eventId: string): boolean {
    return this.dialect.holds(eventId);
  }

  /** Asks Live to close the session and waits (briefly) for `session.closed` and its final usage. */
  close(code = 1000, reason = ''): Promise<void> {
    this.closing ??= this.closeSession(code, reason);
    return this.closing;
  }

  private async closeSession(code: number, reason: string): Promise<void> {
    if (this.inner.isOpen && this.dialect.isStarted) {
      const closed = new Promise<void>((resolve) => { this.sessionClosed = resolve; });
      this.sendWire([{ type: 'session.close', event_id: this.nextEventId() }]);
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.options.closeWaitMs ?? 2000); });
      await Promise.race([closed, waited]);
      clearTimeout(timer);
    }
    await this.inner.close(code, reason);
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.emit('message', text);
      return;
    }
    if (!isWireEvent(parsed)) {
      this.emit('message', text);
      return;
    }
    this.emit('wire', 'server', parsed);
    const events = this.dialect.serverFromWire(parsed);
    this.deliver(events);
    if (parsed.type === 'session.closed') this.sessionClosed?.();
  }

  private deliver(events: readonly ServerEvent[]): void {
    for (const event of events) this.emit('message', JSON.stringify(event));
  }

  private sendWire(events: readonly WireEvent[]): void {
    for (const event of events) {
      this.emit('wire', 'client', event);
      this.inner.send(JSON.stringify(event));
    }
  }

  private nextEventId(): string {
    this.eventCounter += 1;
    return `evt_kaiwa_live_${this.eventCounter}`;
  }
}
