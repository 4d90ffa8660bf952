/**
 * A raw WebSocket Realtime client for the server tests: keeps every event it receives in
 * order and lets a test wait for the next event of a type (or the one matching a check).
 */
import WebSocket from 'ws';

export type Json = Record<string, unknown> & { type: string };

export interface ConnectOptions {
  headers?: Record<string, string>;
  protocols?: string[];
  ca?: string;
  path?: string;
}

/** A frame that is not JSON (a fault cut it off) is kept as `{ type: 'not-json', text }`. */
function parsedFrame(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return { type: 'not-json', text };
  }
}

export class TestClient {
  readonly events: Json[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      this.events.push(parsedFrame(data.toString()));
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens `<base>/realtime` (base is the server's `url`). */
  static async connect(baseUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const url = `${baseUrl}${options.path ?? '/realtime'}`;
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers, ca: options.ca });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next unread event of a type (skipping others), failing after `timeoutMs`. */
  next(type: string, timeoutMs = 5000): Promise<Json> {
    return this.nextMatching((event) => event.type === type, `${type}`, timeoutMs);
  }

  async nextMatching(check: (event: Json) => boolean, label: string, timeoutMs = 5000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.events.length) {
        const event = this.events[this.cursor++]!;
        if (check(event)) return event;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for ${label}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${label}; got ${this.events.slice(-8).map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Events from the read position up to and including the next one of `type`. */
  async until(type: string, timeoutMs = 5000): Promise<Json[]> {
    const start = this.cursor;
    await this.next(type, timeoutMs);
    return this.events.slice(start, this.cursor);
  }

  /** Resolves once the socket has closed (by either side), failing after `timeoutMs`. */
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the socket did not close; got ${this.events.slice(-8).map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await done;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
