/**
 * A strict scripted peer: a real WebSocket server on 127.0.0.1 that plays the Realtime
 * service (GA) as the official SDK's types describe it, not as kaiwa serve does. It checks
 * every client event against the fields the SDK allows (an unknown field is answered with
 * an `unknown_parameter` error and remembered as a violation), echoes `metadata` and
 * reports `conversation_id` on responses, refuses a second in-band `response.create` while
 * one is active, and lets each test script the rest (out-of-band responses, rejections,
 * several messages in one response, dropped connections).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type Json = Record<string, unknown>;

/** Fields each client event may carry (openai 7.57 `realtime.d.ts`). */
const CLIENT_FIELDS: Record<string, readonly string[]> = {
  'session.update': ['type', 'event_id', 'session'],
  'input_audio_buffer.append': ['type', 'event_id', 'audio'],
  'input_audio_buffer.commit': ['type', 'event_id'],
  'input_audio_buffer.clear': ['type', 'event_id'],
  'conversation.item.create': ['type', 'event_id', 'item', 'previous_item_id'],
  'conversation.item.retrieve': ['type', 'event_id', 'item_id'],
  'conversation.item.truncate': ['type', 'event_id', 'item_id', 'content_index', 'audio_end_ms'],
  'conversation.item.delete': ['type', 'event_id', 'item_id'],
  'response.create': ['type', 'event_id', 'response'],
  'response.cancel': ['type', 'event_id', 'response_id'],
  'output_audio_buffer.clear': ['type', 'event_id'],
};
const SESSION_FIELDS = ['type', 'audio', 'include', 'instructions', 'max_output_tokens', 'model', 'output_modalities',
  'parallel_tool_calls', 'prompt', 'reasoning', 'tool_choice', 'tools', 'tracing', 'truncation'];
const RESPONSE_FIELDS = ['audio', 'conversation', 'input', 'instructions', 'max_output_tokens', 'metadata',
  'output_modalities', 'parallel_tool_calls', 'prompt', 'reasoning', 'tool_choice', 'tools'];

/** What a strict service would object to in one client event, or undefined. */
export function violationOf(event: Json): string | undefined {
  const allowed = CLIENT_FIELDS[String(event.type)];
  if (!allowed) return `unknown client event type ${String(event.type)}`;
  const extra = Object.keys(event).find((key) => !allowed.includes(key));
  if (extra) return `${String(event.type)}: unknown parameter ${extra}`;
  const nested = event.type === 'session.update' ? [event.session, SESSION_FIELDS] as const
    : event.type === 'response.create' && event.response !== undefined ? [event.response, RESPONSE_FIELDS] as const : undefined;
  if (!nested) return undefined;
  const [value, fields] = nested;
  if (typeof value !== 'object' || value === null) return `${String(event.type)}: not an object`;
  const unknown = Object.keys(value).find((key) => !fields.includes(key));
  return unknown ? `${String(event.type)}: unknown parameter ${unknown}` : undefined;
}

export interface MessagePlan {
  text: string;
  /** PCM16 bytes of this message's voice (sent as deltas of ≤ 4800 bytes), or none for text. */
  audio?: Buffer;
}

export interface ResponsePlan {
  id?: string;
  messages?: MessagePlan[];
  /** Out-of-band: `conversation_id` null and no items in the conversation. */
  outOfBand?: boolean;
  metadata?: Json | null;
  status?: 'completed' | 'cancelled' | 'failed' | 'incomplete';
  statusDetails?: Json;
  /** Keep the response open (no response.done) until `finish` is called. */
  hold?: boolean;
}

export interface PeerConnection {
  readonly url: string;
  readonly received: Json[];
  readonly violations: string[];
  send(event: Json): void;
  /** Streams a whole response; resolves its id. */
  respond(plan: ResponsePlan): string;
  /** Ends a held response. */
  finish(responseId: string, status?: ResponsePlan['status'], statusDetails?: Json): void;
  /** The `error` event the service sends for a client event. */
  reject(clientEvent: Json, code: string, message: string): void;
  close(code?: number): void;
  terminate(): void;
  readonly activeResponseId: string | undefined;
}

export interface StrictPeerOptions {
  /** Called for every client event first; return true when the script handled it. */
  onEvent?(peer: PeerConnection, event: Json): boolean | void;
  onConnection?(peer: PeerConnection): void;
  /** The reply to a `response.create` the script did not handle (default: echoes the last user text). */
  reply?(peer: PeerConnection, request: Json): ResponsePlan;
  /** Sends `session.created` on connect (default true). */
  greet?: boolean;
}

export interface StrictPeer {
  readonly url: string;
  readonly connections: PeerConnection[];
  /** Every violation on every connection. */
  violations(): string[];
  close(): Promise<void>;
}

let counter = 0;
const newId = (prefix: string): string => `${prefix}_${(++counter).toString(36).padStart(6, '0')}`;

interface OpenResponse { id: string; outOfBand: boolean; metadata: Json | null; output: Json[] }

class Connection implements PeerConnection {
  readonly received: Json[] = [];
  readonly violations: string[] = [];
  private lastUserText = '';
  private lastItemId: string | null = null;
  private active: OpenResponse | undefined;
  private readonly open = new Map<string, OpenResponse>();

  constructor(private readonly socket: WebSocket, readonly url: string, private readonly options: StrictPeerOptions) {
    socket.on('message', (data) => this.receive(JSON.parse(data.toString()) as Json));
  }

  get activeResponseId(): string | undefined {
    return this.active?.id;
  }

  send(event: Json): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify({ event_id: newId('event'), ...event }));
  }

  close(code = 1000): void {
    this.socket.close(code);
  }

  terminate(): void {
    this.socket.terminate();
  }

  reject(clientEvent: Json, code: string, message: string): void {
    this.send({ type: 'error', error: { type: 'invalid_request_error', code, message, param: null, event_id: clientEvent.event_id ?? null } });
  }

  respond(plan: ResponsePlan): string {
    const id = plan.id ?? newId('resp');
    const response: OpenResponse = { id, outOfBand: plan.outOfBand ?? false, metadata: plan.metadata ?? null, output: [] };
    this.open.set(id, response);
    if (!response.outOfBand) this.active = response;
    this.send({ type: 'response.created', response: this.responseObject(response, 'in_progress') });
    (plan.messages ?? []).forEach((message, index) => this.streamMessage(response, message, index));
    if (!plan.hold) this.finish(id, plan.status ?? 'completed', plan.statusDetails);
    return id;
  }

  finish(responseId: string, status: ResponsePlan['status'] = 'completed', statusDetails?: Json): void {
    const response = this.open.get(responseId);
    if (!response) return;
    this.open.delete(responseId);
    if (this.active === response) this.active = undefined;
    this.send({
      type: 'response.done',
      response: {
        ...this.responseObject(response, status), ...(statusDetails ? { status_details: statusDetails } : {}),
        usage: { total_tokens: 30, input_tokens: 20, output_tokens: 10, input_token_details: { cached_tokens: 0, text_tokens: 20, audio_tokens: 0 }, output_token_details: { text_tokens: 10, audio_tokens: 0 } },
      },
    });
  }

  private responseObject(response: OpenResponse, status: string): Json {
    return {
      object: 'realtime.response', id: response.id, status, status_details: null, output: response.output,
      conversation_id: response.outOfBand ? null : 'conv_strict', metadata: response.metadata, output_modalities: ['audio'], usage: null,
    };
  }

  private streamMessage(response: OpenResponse, message: MessagePlan, outputIndex: number): void {
    const itemId = newId('item');
    const common = { response_id: response.id, item_id: itemId, output_index: outputIndex, content_index: 0 };
    const started = { id: itemId, type: 'message', object: 'realtime.item', status: 'in_progress', role: 'assistant', content: [] };
    this.send({ type: 'response.output_item.added', response_id: response.id, output_index: outputIndex, item: started });
    if (!response.outOfBand) this.send({ type: 'conversation.item.added', previous_item_id: this.lastItemId, item: started });
    const audio = message.audio !== undefined;
    const kind = audio ? 'output_audio' : 'output_text';
    this.send({ type: 'response.content_part.added', ...common, part: audio ? { type: kind, transcript: '' } : { type: kind, text: '' } });
    for (let offset = 0; audio && offset < message.audio!.length; offset += 4800) {
      this.send({ type: 'response.output_audio.delta', ...common, delta: message.audio!.subarray(offset, offset + 4800).toString('base64') });
    }
    for (const word of message.text.match(/\S+\s*/g) ?? []) {
      this.send({ type: audio ? 'response.output_audio_transcript.delta' : 'response.output_text.delta', ...common, delta: word });
    }
    if (audio) this.send({ type: 'response.output_audio.done', ...common });
    this.send(audio ? { type: 'response.output_audio_transcript.done', ...common, transcript: message.text } : { type: 'response.output_text.done', ...common, text: message.text });
    const part = audio ? { type: kind, transcript: message.text } : { type: kind, text: message.text };
    this.send({ type: 'response.content_part.done', ...common, part });
    const done = { ...started, status: 'completed', content: [part] };
    response.output.push(done);
    this.send({ type: 'response.output_item.done', response_id: response.id, output_index: outputIndex, item: done });
    if (!response.outOfBand) {
      this.send({ type: 'conversation.item.done', previous_item_id: this.lastItemId, item: done });
      this.lastItemId = itemId;
    }
  }

  private receive(event: Json): void {
    this.received.push(event);
    const violation = violationOf(event);
    if (violation) {
      this.violations.push(violation);
      this.reject(event, 'unknown_parameter', violation);
      return;
    }
    if (this.options.onEvent?.(this, event)) return;
    this.standard(event);
  }

  /** What the service does when the script says nothing. */
  private standard(event: Json): void {
    switch (event.type) {
      case 'session.update':
        this.send({ type: 'session.updated', session: { type: 'realtime', object: 'realtime.session', id: 'sess_strict', model: 'gpt-realtime', ...(event.session as Json) } });
        break;
      case 'conversation.item.create': {
        const item = { ...(event.item as Json) };
        item.id ??= newId('item');
        const content = item.content as Array<{ text?: string }> | undefined;
        if (item.role === 'user' && content?.[0]?.text) this.lastUserText = content[0].text;
        this.send({ type: 'conversation.item.added', previous_item_id: this.lastItemId, item: { object: 'realtime.item', status: 'completed', ...item } });
        this.send({ type: 'conversation.item.done', previous_item_id: this.lastItemId, item: { object: 'realtime.item', status: 'completed', ...item } });
        this.lastItemId = String(item.id);
        break;
      }
      case 'response.create': {
        const params = (event.response ?? {}) as Json;
        const outOfBand = params.conversation === 'none';
        if (!outOfBand && this.active) {
          this.reject(event, 'conversation_already_has_active_response', `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`);
          break;
        }
        const plan = this.options.reply?.(this, event) ?? { messages: [{ text: `You said: ${this.lastUserText}` }] };
        this.respond({ metadata: (params.metadata as Json | undefined) ?? null, outOfBand, ...plan });
        break;
      }
      case 'response.cancel':
        if (this.active) this.finish(this.active.id, 'cancelled', { type: 'cancelled', reason: 'client_cancelled' });
        break;
      default:
        break;
    }
  }
}

export async function startStrictPeer(options: StrictPeerOptions = {}): Promise<StrictPeer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const connections: PeerConnection[] = [];
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new Connection(ws, request.url ?? '', options);
      connections.push(connection);
      if (options.greet ?? true) {
        connection.send({ type: 'session.created', session: { type: 'realtime', object: 'realtime.session', id: newId('sess'), model: 'gpt-realtime', output_modalities: ['audio'] } });
      }
      options.onConnection?.(connection);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v1`,
    connections,
    violations: () => connections.flatMap((connection) => connection.violations),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
