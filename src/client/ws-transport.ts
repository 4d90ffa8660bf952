import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ListeningTransport } from '../protocol/transport.js';
import type { Endpoint } from './endpoint.js';
import { connectionBroke, connectTimedOut, proxyRefused, socketFailed, upgradeRejected } from './connection-errors.js';
import { ConnectionError } from '../errors.js';
import type { ProxyRoute } from './proxy.js';

export interface ConnectOptions {
  timeoutMs?: number;
  /** Largest frame accepted from the server; a misbehaving peer cannot exhaust memory. */
  maxPayloadBytes?: number;
  /** Certificates trusted for wss: instead of the default roots (pass those too to keep them). */
  ca?: string[];
  /** Tunnel through this HTTP proxy (proxyRouteFor). */
  proxy?: ProxyRoute;
  /** How a connection that went silent is found dead (default: DEFAULT_HEARTBEAT); false: never. */
  heartbeat?: Heartbeat | false;
  /** Gives up the attempt at once (Ctrl-C while connecting), not after the timeout. */
  signal?: AbortSignal;
}

/**
 * A connection can die without a word: Wi-Fi changes, a laptop sleeps, a NAT forgets it. TCP
 * then says nothing for hours, and kaiwa would wait for an answer that cannot come. After
 * `quietMs` with nothing from the server, kaiwa pings; with still nothing (no pong, no event)
 * `timeoutMs` later, the connection is closed as lost (1006), and the reconnect takes over.
 */
export interface Heartbeat {
  quietMs: number;
  timeoutMs: number;
}

export const DEFAULT_HEARTBEAT: Heartbeat = { quietMs: 10_000, timeoutMs: 8_000 };

/**
 * A client's frames carry a mask key; a key of zeros leaves the payload as it is, so `ws`
 * sends the JSON text without copying it into a buffer and XOR-ing every byte (audio is
 * nearly all of what kaiwa sends). RFC 6455 asks for an unpredictable key for one reason
 * (its section 10.3): a script in a browser page must not choose the bytes a proxy reads
 * on a plain-text connection. kaiwa is no such page, and on wss: no proxy reads them.
 * Servers cannot tell the key from any other: they unmask with it.
 */
function leaveUnmasked(mask: Buffer): void {
  mask.fill(0);
}

/** A `ws` WebSocket behind the ListeningTransport interface. */
export class WebSocketTransport extends EventEmitter implements ListeningTransport {
  /** Frames that arrived before anyone listened (session.created often rides with the upgrade). */
  private readonly early: string[] = [];

  /** When the server last sent anything (a frame or a pong). */
  private heardAt = performance.now();
  private pingedAt: number | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Why kaiwa closed the connection itself, for the close event it reports. */
  private deadReason: string | undefined;
  /** A close that came before anyone listened (the server broke the connection as it opened). */
  private earlyClose: [code: number, reason: string] | undefined;

  private constructor(private readonly socket: WebSocket, heartbeat: Heartbeat | false) {
    super();
    socket.on('message', (data, isBinary) => {
      this.heardAt = performance.now();
      if (isBinary) return;
      if (this.listenerCount('message') === 0) this.early.push(data.toString());
      else this.emit('message', data.toString());
    });
    this.on('newListener', (event: string) => {
      if ((event === 'message' && this.early.length) || (event === 'close' && this.earlyClose)) queueMicrotask(() => this.deliverEarly());
    });
    socket.on('close', (code, reason) => {
      clearInterval(this.heartbeatTimer);
      const why = reason.toString() || this.deadReason || '';
      if (this.listenerCount('close') === 0) this.earlyClose = [code, why];
      else this.emit('close', code, why);
    });
    // A peer that broke the protocol gets no close handshake to wait 30 s for: the connection is over now.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.deadReason ??= connectionBroke(error);
      this.socket.terminate();
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    socket.on('pong', () => { this.heardAt = performance.now(); });
    if (heartbeat) this.startHeartbeat(heartbeat);
  }

  private startHeartbeat({ quietMs, timeoutMs }: Heartbeat): void {
    const checkEveryMs = Math.min(quietMs, timeoutMs) / 2;
    this.heartbeatTimer = setInterval(() => {
      const now = performance.now();
      if (this.pingedAt !== undefined && this.heardAt >= this.pingedAt) this.pingedAt = undefined;
      if (this.pingedAt !== undefined && now - this.pingedAt >= timeoutMs) {
        this.deadReason = `no answer from the server for ${Math.round((now - this.heardAt) / 1000)} s`;
        this.socket.terminate();
      } else if (this.pingedAt === undefined && now - this.heardAt >= quietMs && this.isOpen) {
        this.pingedAt = now;
        this.socket.ping();
      }
    }, checkEveryMs);
    this.heartbeatTimer.unref();
  }

  static connect(endpoint: Endpoint, options: ConnectOptions = {}): Promise<WebSocketTransport> {
    const timeoutMs = options.timeoutMs ?? 15000;
    const socket = new WebSocket(endpoint.url, {
      headers: endpoint.headers,
      maxPayload: options.maxPayloadBytes ?? 32 * 1024 * 1024,
      handshakeTimeout: timeoutMs,
      // Audio is base64 in JSON: deflating it saves a quarter of the bytes at a CPU and
      // latency cost paid on every frame, both ends. Voice wants the CPU and the latency.
      perMessageDeflate: false,
      generateMask: leaveUnmasked,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.proxy ? { agent: options.proxy.agent } : {}),
    });
    // The proxy's answer to CONNECT: a refusal reaches ws as if the server had answered it.
    let proxyStatus: number | undefined;
    const onProxyConnect = (response: { statusCode: number }): void => { proxyStatus = response.statusCode; };
    options.proxy?.agent.on('proxyConnect', onProxyConnect);
    const through = options.proxy ? ` through the proxy ${options.proxy.label}` : '';
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        options.proxy?.agent.off('proxyConnect', onProxyConnect);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      const label = `${endpoint.label}${through}`;
      const timer = setTimeout(() => fail(connectTimedOut(label, timeoutMs)), timeoutMs);
      const onAbort = (): void => fail(new ConnectionError(`connecting to ${label} was stopped`, { code: 'aborted', retryable: false }));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        response.resume();
        const status = response.statusCode ?? 0;
        fail(options.proxy && proxyStatus !== undefined && proxyStatus !== 200
          ? proxyRefused(status, endpoint.label, options.proxy.label) : upgradeRejected(status, label));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(error.message.includes('timed out') ? connectTimedOut(label, timeoutMs)
          : socketFailed(error, label, options.proxy !== undefined));
      });
      socket.once('open', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        options.proxy?.agent.off('proxyConnect', onProxyConnect);
        socket.removeAllListeners();
        resolve(new WebSocketTransport(socket, options.heartbeat ?? DEFAULT_HEARTBEAT));
      });
    });
  }

  /** What came before anyone listened, in order: the frames, then the close. */
  private deliverEarly(): void {
    if (this.listenerCount('message') > 0) for (const text of this.early.splice(0)) this.emit('message', text);
    if (this.earlyClose && !this.early.length && this.listenerCount('close') > 0) {
      const [code, reason] = this.earlyClose;
      this.earlyClose = undefined;
      this.emit('close', code, reason);
    }
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.isOpen) this.socket.send(text);
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const forced = setTimeout(() => { this.socket.terminate(); resolve(); }, 2000);
      this.socket.once('close', () => { clearTimeout(forced); resolve(); });
      if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code, reason);
    });
  }
}
