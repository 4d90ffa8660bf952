/**
 * A peer that delivers reply audio the way the Realtime service does: the whole reply as
 * fast as the socket takes it (the service often sends a 30 s answer within a few hundred
 * ms), its transcript late, after the audio, and not at once (firstAudioAfterMs: the
 * service's first audio comes hundreds of ms after response.create). It speaks GA or beta (the dialect the client
 * asks for with `OpenAI-Beta: realtime=v1`), answers each response.create once, ignores
 * the microphone's appends but counts them, and reports the first one to arrive, which is
 * where the bench splits a client's start-up from its steady part.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { answering } from '../../test/helpers/own-response.js';
import type { WireJson } from '../../test/helpers/scripted-server.js';
import { betaSessionCreated, betaVoiceTurn, gaSessionCreated, gaVoiceTurn } from '../../test/helpers/event-scripts.js';

export interface BurstPeerOptions {
  /** Seconds of reply audio sent in one burst. */
  replySeconds: number;
  /** Audio per output_audio.delta. */
  deltaMs: number;
  /** Serve wss: with this certificate (the official SDK only speaks wss:). */
  tls?: { cert: string; key: string };
  /** Called once per client when its first input_audio_buffer.append arrives. */
  onFirstAppend?: (client: string) => void;
  /**
   * The reply's first audio comes this long after response.create (the service's time to
   * first audio, 0.5-1 s for a spoken answer), and never before the client's first append:
   * every client's steady part (first append → exit) then holds its whole burst, as it
   * would against the service. Default 0: the reply is sent at once.
   */
  firstAudioAfterMs?: number;
}

export interface BurstPeer {
  /** ws://127.0.0.1:PORT (or wss:), without a path: clients add /NAME/v1. */
  readonly url: string;
  /** Appends received, per client: the first part of the URL's path names the client (`ws://host/NAME/v1`). */
  readonly appends: Map<string, number>;
  /** How long writing each client's burst into its socket took. */
  readonly burstWriteMs: Map<string, number>;
  close(): Promise<void>;
}

const RATE = 24000;

export async function startBurstPeer(options: BurstPeerOptions): Promise<BurstPeer> {
  const notFound = (_req: unknown, res: { writeHead(code: number): { end(): void } }) => res.writeHead(404).end();
  const http: Server = options.tls ? createTlsServer(options.tls, notFound) : createServer(notFound);
  const wss = new WebSocketServer({ noServer: true });
  const appends = new Map<string, number>();
  const burstWriteMs = new Map<string, number>();
  const reply = replyFor(options);
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      const beta = String(request.headers['openai-beta'] ?? '').includes('realtime=v1');
      const client = /^\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '?';
      const created = beta ? betaSessionCreated() : gaSessionCreated();
      ws.send(JSON.stringify(created));
      let appended: () => void = () => undefined;
      const firstAppend = new Promise<void>((resolve) => { appended = resolve; });
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as WireJson;
        if (event.type === 'input_audio_buffer.append') {
          const count = (appends.get(client) ?? 0) + 1;
          appends.set(client, count);
          if (count === 1) {
            options.onFirstAppend?.(client);
            appended();
          }
        } else if (event.type === 'session.update') {
          ws.send(JSON.stringify({ type: 'session.updated', event_id: `event_updated_${client}`, session: (created as { session: object }).session }));
        } else if (event.type === 'conversation.item.create') {
          for (const announced of itemAnnouncements(event, beta)) ws.send(JSON.stringify(announced));
        } else if (event.type === 'response.create') {
          const answer = (): void => {
            const at = performance.now();
            sendAll(ws, answering(event, beta ? reply.beta() : reply.ga()));
            burstWriteMs.set(client, performance.now() - at);
          };
          if (!options.firstAudioAfterMs) return answer();
          const thinking = new Promise<void>((resolve) => setTimeout(resolve, options.firstAudioAfterMs));
          void Promise.all([thinking, firstAppend]).then(() => { if (ws.readyState === ws.OPEN) answer(); });
        }
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    appends,
    burstWriteMs,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The service confirms an item the client created: `conversation.item.added` and `.done` (GA), `.created` (beta). */
function itemAnnouncements(event: WireJson, beta: boolean): object[] {
  const item = { object: 'realtime.item', status: 'completed', ...(event.item as object) };
  const types = beta ? ['conversation.item.created'] : ['conversation.item.added', 'conversation.item.done'];
  return types.map((type, index) => ({ type, event_id: `event_item_${index}_${String(event.event_id)}`, previous_item_id: null, item }));
}

/** Every event written at once; ws queues what the socket cannot take yet. */
function sendAll(ws: WebSocket, events: object[]): void {
  for (const event of events) ws.send(JSON.stringify(event));
}

/** The reply: a tone in `deltaMs` deltas, one transcript word per delta, the words after all the audio. */
function replyFor(options: BurstPeerOptions): { ga: () => object[]; beta: () => object[] } {
  const samplesPerDelta = Math.round((options.deltaMs * RATE) / 1000);
  const deltas = Math.ceil((options.replySeconds * 1000) / options.deltaMs);
  const audioChunks = Array.from({ length: deltas }, (_, k) => tone(k * samplesPerDelta, samplesPerDelta));
  const words = Array.from({ length: deltas }, (_, k) => `word${k}`).join(' ');
  const script = { assistantTranscript: words, audioChunks };
  return { ga: () => transcriptLate(gaVoiceTurn(script)), beta: () => transcriptLate(betaVoiceTurn(script)) };
}

/** The service's transcript often trails its audio: every transcript delta moved after the last audio delta. */
function transcriptLate(events: object[]): object[] {
  const isTranscriptDelta = (event: object) => /audio_transcript\.delta$/.test((event as { type: string }).type);
  const isAudioDelta = (event: object) => /audio\.delta$/.test((event as { type: string }).type);
  const lastAudio = events.findLastIndex(isAudioDelta);
  const transcript = events.filter(isTranscriptDelta);
  const rest = events.filter((event) => !isTranscriptDelta(event));
  const insertAt = rest.findLastIndex(isAudioDelta) + 1;
  return lastAudio < 0 ? events : [...rest.slice(0, insertAt), ...transcript, ...rest.slice(insertAt)];
}

function tone(firstSample: number, samples: number): Buffer {
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 220 * (firstSample + i)) / RATE)), i * 2);
  return pcm;
}
