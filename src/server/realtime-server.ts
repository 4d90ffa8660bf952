/**
 * `kaiwa serve`'s network side: an HTTP(S) server whose `/v1/realtime` upgrades to a
 * WebSocket carrying one ServerSession. Loopback by default; any other address needs a
 * token, because the server spends CPU (and possibly an upstream model's money) for whoever
 * connects.
 */
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { UsageError, KaiwaError } from '../errors.js';
import { dialectFor } from '../protocol/dialects.js';
import type { ReplyEngine } from './engines/reply-engine.js';
import { NO_SPEECH, type SpeechParts } from './speech-parts.js';
import { DEFAULT_SESSION_LIMITS, ServerSession, type SessionLimits, type ServerSessionOptions } from './server-session.js';
import type { Transport } from '../protocol/transport.js';
import type { ConnectionHook, HookedSocket } from './connection-hook.js';
import { chooseSubprotocol, dialectOf, isAuthorized } from './connection-auth.js';
import { selfSignedCertificate, type TlsMaterial } from './tls-certificate.js';
import { LiveServerSession } from './live/live-server-session.js';
import { DEFAULT_LIVE_MODEL } from '../protocol/live/live-types.js';
import type { MistakeLedger } from './strict/client-mistakes.js';
import type { CassetteRecorder } from './cassette/session-cassette.js';

export interface RealtimeServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: TlsMaterial | 'self-signed';
  /** Required when `host` is not a loopback address. */
  token?: string;
  engine: ReplyEngine;
  /**
   * Offline speech (VAD, recognizer, voice). While a promise of them is still loading, the
   * server already listens and holds each upgrade until they are ready: a client that
   * connects early waits instead of being refused.
   */
  speech?: SpeechParts | Promise<SpeechParts>;
  logger?: Logger;
  maxSessions?: number;
  /** Largest WebSocket message accepted (base64 audio included). */
  maxPayloadBytes?: number;
  limits?: Partial<SessionLimits>;
  /** Model named in session.created when the URL has no `?model=`. */
  defaultModel?: string;
  /** What runs on each socket (default: a ServerSession); `kaiwa serve --replay` plugs in a replay. */
  createSession?: SessionFactory;
  /** Sits between each socket and its session (kaiwa/testing's FaultInjector is one). */
  connectionHook?: ConnectionHook;
  /** `--strict`: sessions check the client strictly and count its mistakes here. */
  strict?: MistakeLedger;
  /** `--record DIR`: each session is written into a directory of its own. */
  record?: CassetteRecorder;
}

/** The session on one socket, as the server drives it. */
export interface SocketSession {
  readonly id: string;
  start(): void;
  receive(data: Buffer, isBinary: boolean): void;
  /** A message the socket refused before the session saw it (--strict counts it as a mistake). */
  refusedMessage?(kind: string): void;
  dispose(): void;
}

export type SessionFactory = (transport: Transport, options: ServerSessionOptions) => SocketSession;

export interface RealtimeServer {
  /** Base URL as clients take it (`ws(s)://host:port/v1`); they append `/realtime`. */
  url: string;
  port: number;
  /** The PEM certificate when serving TLS, for clients to trust. */
  certificate?: string;
  /** Ends every session (close code 1001) and stops listening. */
  close(): Promise<void>;
}

const REALTIME_PATHS = new Set(['/v1/realtime', '/openai/v1/realtime']);
/** GPT-Live, as the SDK's LiveWS opens it (base URL + `/live/sessions`): the same engines behind the Live protocol. */
const LIVE_PATHS = new Set(['/v1/live/sessions']);
const isServedPath = (path: string): boolean => REALTIME_PATHS.has(path) || LIVE_PATHS.has(path);
/** A client pointed at the host without `/v1` (a base URL written short) is told where the endpoints are. */
const NOT_FOUND = 'Not found. The Realtime API is at /v1/realtime (GPT-Live at /v1/live/sessions): is /v1 missing from the base URL?';
const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const DEFAULT_MAX_SESSIONS = 100;
const HEARTBEAT_MS = 30_000;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startRealtimeServer(options: RealtimeServerOptions): Promise<RealtimeServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.token) {
    throw new UsageError(`refusing to listen on ${host} without --token: anyone who can reach it could use this server (add --token SECRET, or listen on 127.0.0.1)`);
  }
  const tls = options.tls === 'self-signed' ? await selfSignedCertificate(host) : options.tls;
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createHttpServer();
  const sessions = new SessionRegistry(options);
  server.on('request', (req, res) => {
    const found = isServedPath(pathOf(req));
    res.writeHead(found ? 426 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: found ? 'Upgrade to a WebSocket to use this endpoint.' : NOT_FOUND } }));
  });
  server.on('upgrade', (req, socket, head) => sessions.upgrade(req, socket, head));
  const port = await listen(server, host, options.port ?? 8765);
  const scheme = tls ? 'wss' : 'ws';
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const handle: RealtimeServer = {
    url: `${scheme}://${shownHost}:${port}/v1`,
    port,
    close: async () => {
      await sessions.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  if (tls) handle.certificate = tls.cert;
  return handle;
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new KaiwaError(`port ${port} on ${host} is already in use (pick another with --port)`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new UsageError(`cannot listen on ${host}: no such local address`));
      else reject(error);
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Accepts upgrades, runs one session per socket, and closes them all on shutdown. */
class SessionRegistry {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, SocketSession>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly logger: Logger;
  private readonly limits: SessionLimits;
  private readonly heartbeat: NodeJS.Timeout;
  /** The speech parts once loaded; undefined while they load. */
  private speech: SpeechParts | undefined;
  private readonly speechReady: Promise<void>;
  private closed = false;

  constructor(private readonly options: RealtimeServerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.speechReady = Promise.resolve(options.speech ?? NO_SPEECH)
      .catch(() => NO_SPEECH)
      .then((speech) => { this.speech = speech; });
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: false,
      handleProtocols: (protocols) => chooseSubprotocol(protocols),
    });
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!isServedPath(pathOf(req))) return refuse(socket, 404, NOT_FOUND, null);
    if (!isAuthorized(req, this.options.token)) {
      return refuse(socket, 401, 'Incorrect API key provided. Pass the token given to kaiwa serve --token.');
    }
    if (this.sockets.size >= (this.options.maxSessions ?? DEFAULT_MAX_SESSIONS)) {
      return refuse(socket, 503, 'Too many sessions; try again later.');
    }
    const refusal = this.options.connectionHook?.refusal?.();
    if (refusal) return refuse(socket, refusal.status, refusal.message);
    if (this.speech) return this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, req));
    // Held until the speech parts have loaded; a client that gave up meanwhile is let go.
    socket.on('error', () => undefined);
    void this.speechReady.then(() => {
      if (this.closed) socket.destroy();
      if (socket.destroyed) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, req));
    });
  }

  private open(ws: WebSocket, req: IncomingMessage): void {
    if (LIVE_PATHS.has(pathOf(req))) return this.run(ws, req, 'live', (transport) => this.openLive(transport));
    const dialect = dialectFor(dialectOf(req));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const model = url.searchParams.get('model') ?? url.searchParams.get('deployment') ?? this.options.defaultModel ?? 'gpt-realtime';
    // The SDK's transcription intent (GA only; the beta protocol had its own transcription events).
    const intent = dialect.name === 'ga' && url.searchParams.get('intent') === 'transcription' ? 'transcription' as const : undefined;
    const create = this.options.createSession ?? ((t: Transport, o: ServerSessionOptions) => new ServerSession(t, o));
    const open = (transport: Transport): SocketSession => create(transport, {
      engine: this.options.engine, speech: this.speech ?? NO_SPEECH, dialect,
      model: model.slice(0, 128), logger: this.logger, limits: this.limits, intent, strict: this.options.strict,
      tap: this.options.record?.next(model.slice(0, 128)),
    });
    this.run(ws, req, dialect.name, open);
  }

  /** A Live session: the GA session (and engines) of `/v1/realtime`, behind the Live protocol. */
  private openLive(transport: Transport): SocketSession {
    const create = this.options.createSession ?? ((t: Transport, o: ServerSessionOptions) => new ServerSession(t, o));
    return new LiveServerSession(transport, {
      logger: this.logger,
      createInner: (inner, onHeard) => create(inner, {
        engine: this.options.engine, speech: this.speech ?? NO_SPEECH, dialect: dialectFor('ga'),
        model: DEFAULT_LIVE_MODEL, logger: this.logger, limits: this.limits, onHeard,
      }),
    });
  }

  private run(ws: WebSocket, req: IncomingMessage, protocol: string, open: (transport: Transport) => SocketSession): void {
    const socket = hookedSocket(ws, protocol);
    const hook = this.options.connectionHook;
    const session = hook ? hook.connect(socket, open) : open(socket.transport);
    this.sockets.set(ws, session);
    this.alive.add(ws);
    this.logger.log('info', `session ${session.id} opened (${protocol}, ${req.socket.remoteAddress ?? 'unknown'})`);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => session.receive(toBuffer(data), isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      this.logger.log('warn', `session ${session.id}: ${error.message}`);
      // ws closes with 1009 at once; no error event can go first, but the mistake is the client's.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') session.refusedMessage?.(`a message over ${this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD} bytes (closed with 1009)`);
    });
    ws.on('close', (code) => {
      session.dispose();
      this.sockets.delete(ws);
      this.logger.log('info', `session ${session.id} closed (${code})`);
    });
    session.start();
  }

  /** Drops peers that stopped answering pings, so dead sessions do not hold memory. */
  private checkAlive(): void {
    for (const ws of this.sockets.keys()) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    const closing = [...this.sockets.entries()].map(([ws, session]) => new Promise<void>((resolve) => {
      session.dispose();
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const force = setTimeout(() => ws.terminate(), 2000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      ws.close(1001, 'server shutting down');
    }));
    await Promise.all(closing);
    this.wss.close();
  }
}

function hookedSocket(ws: WebSocket, dialect: string): HookedSocket {
  return {
    dialect,
    transport: {
      send: (text) => ws.send(text),
      get bufferedAmount() { return ws.bufferedAmount; },
      get isOpen() { return ws.readyState === WebSocket.OPEN; },
      close: (code, reason) => ws.close(code, reason),
    },
    send: (text, done) => ws.send(text, done),
    terminate: () => ws.terminate(),
    close: (code, reason) => ws.close(code, reason),
    onClose: (listener) => ws.on('close', listener),
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The `error.code` the service puts in the body of a refused upgrade. */
const REFUSAL_CODES: Readonly<Record<number, string>> = {
  401: 'invalid_api_key', 403: 'unsupported_country_region_territory', 404: 'model_not_found', 429: 'rate_limit_exceeded',
};

function refuse(socket: Duplex, status: number, message: string, code: string | null = REFUSAL_CODES[status] ?? null): void {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const body = JSON.stringify({ error: { type, code, message } });
  const reason = STATUS_CODES[status] ?? 'Unknown';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
