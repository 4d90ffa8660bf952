import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
  ClientEvent, ServerEvent, SessionConfig, SessionResource,
} from 'openai/resources/live/live';

/**
 * A GPT-Live peer written from the official SDK's types (not kaiwa serve): a real WebSocket
 * server on 127.0.0.1 at `/v1/live/sessions` that keeps what the client sent and answers
 * from a script. Every event it sends is typed as the SDK's Live ServerEvent.
 */
export interface LiveConnection {
  readonly headers: IncomingHttpHeaders;
  readonly path: string;
  readonly received: ClientEvent[];
  /** Decoded bytes of every session.input_audio.append, in order. */
  audio: Buffer;
  send(event: ServerEvent): void;
  close(code?: number): void;
  readonly closed: Promise<{ code: number }>;
  session: SessionResource | undefined;
  /** Between session.input_audio.mute and unmute. */
  muted: boolean;
}

export interface LivePeerOptions {
  onEvent?(connection: LiveConnection, event: ClientEvent): void;
  /** Cumulative session seconds reported in session.closed. */
  finalSeconds?: number;
}

export interface LivePeer {
  readonly url: string;
  readonly connections: LiveConnection[];
  close(): Promise<void>;
}

let counter = 0;
export const eventId = (): string => `event_peer_${++counter}`;

/**
 * A script step: once the client has sent `bytes` of input audio (the whole question), runs
 * `answer` with where the question ends (ms at 24 kHz PCM16, or `bytesPerMs`), once.
 */
export function whenQuestionHeard(bytes: number, answer: (connection: LiveConnection, questionEndMs: number) => void, bytesPerMs = 48):
  (connection: LiveConnection, event: ClientEvent) => void {
  let answered = false;
  return (connection, event) => {
    if (answered || event.type !== 'session.input_audio.append' || connection.audio.length < bytes) return;
    answered = true;
    answer(connection, Math.round(bytes / bytesPerMs));
  };
}

/** Every client event type of the SDK's Live union: what a Live client may send, and nothing else. */
export const LIVE_CLIENT_EVENTS: ReadonlySet<string> = new Set<ClientEvent['type']>([
  'session.start', 'session.update', 'session.input_audio.append', 'session.input_audio.mute', 'session.input_audio.unmute',
  'session.output_audio.fixture.play', 'session.instructions.append', 'session.thinking.append', 'session.commentary.append',
  'decision.create', 'decision.item.create', 'decision.item.delete', 'response.item.create', 'response.create', 'session.close',
]);

function resourceOf(config: SessionConfig): SessionResource {
  return {
    id: 'sess_live_peer', expires_at: Math.floor(Date.now() / 1000) + 3600, model: config.model, status: 'active',
    ...(config.audio ? { audio: config.audio } : {}),
    ...(config.instructions ? { instructions: config.instructions } : {}),
    delegation: config.delegation ?? null,
  };
}

function respond(connection: LiveConnection, event: ClientEvent, options: LivePeerOptions): void {
  const clientEventId = event.event_id ?? undefined;
  if (connection.session === undefined && event.type !== 'session.start') {
    connection.send({ type: 'error', event_id: eventId(), error: { type: 'invalid_request_error', code: 'session_not_started', message: 'Send session.start first.', ...(clientEventId ? { client_event_id: clientEventId } : {}) } });
    return;
  }
  if (event.type === 'session.start') {
    connection.session = resourceOf(event.session as SessionConfig);
    connection.send({ type: 'session.started', event_id: eventId(), session: connection.session, ...(clientEventId ? { client_event_id: clientEventId } : {}) });
  } else if (event.type === 'session.input_audio.append') {
    connection.audio = Buffer.concat([connection.audio, Buffer.from(event.audio, 'base64')]);
  } else if (event.type === 'session.input_audio.mute' || event.type === 'session.input_audio.unmute') {
    connection.muted = event.type === 'session.input_audio.mute';
    connection.send({ type: connection.muted ? 'session.input_audio.muted' : 'session.input_audio.unmuted', event_id: eventId(), ...(clientEventId ? { client_event_id: clientEventId } : {}) });
  } else if (event.type === 'session.close') {
    connection.send({
      type: 'session.closed', event_id: eventId(), reason: 'close_requested', session: connection.session!,
      usage: { seconds: options.finalSeconds ?? 0 }, ...(clientEventId ? { client_event_id: clientEventId } : {}),
    });
    connection.close(1000);
  }
}

export async function startLivePeer(options: LivePeerOptions = {}): Promise<LivePeer> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const connections: LiveConnection[] = [];
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      let closedResolve!: (value: { code: number }) => void;
      const connection: LiveConnection = {
        headers: request.headers, path: request.url ?? '', received: [], audio: Buffer.alloc(0), session: undefined, muted: false,
        send: (event) => ws.send(JSON.stringify(event)),
        close: (code = 1000) => ws.close(code),
        closed: new Promise((resolve) => { closedResolve = resolve; }),
      };
      ws.on('close', (code) => closedResolve({ code }));
      connections.push(connection);
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as ClientEvent;
        connection.received.push(event);
        respond(connection, event, options);
        options.onEvent?.(connection, event);
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v1`,
    connections,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * The Live model saying `pcm` with its transcript, as the primary WebSocket carries it:
 * id-less audio chunks of 100 ms, the words spread over the first chunks on the session
 * timeline from `atMs`, no end event. Returns where the speech ends on the timeline.
 */
export function speak(connection: LiveConnection, pcm: Buffer, words: readonly string[], atMs: number): number {
  const chunk = 4800;
  let at = atMs;
  for (let offset = 0, index = 0; offset < pcm.length; offset += chunk, index += 1) {
    connection.send({ type: 'session.output_audio.delta', delta: pcm.subarray(offset, offset + chunk).toString('base64') });
    const word = words[index];
    if (word) connection.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: word, start_ms: at, end_ms: at + 100 });
    at += 100;
  }
  return at;
}
