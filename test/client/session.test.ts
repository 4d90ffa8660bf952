import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { betaDialect } from '../../src/protocol/beta-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';
import type { ServerEvent } from '../../src/protocol/events.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { drained, InMemoryTransport } from '../helpers/in-memory-transport.js';
import { LiveTransport } from '../../src/protocol/live/live-transport.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';

const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });

async function connect(server: ScriptedServer, dialect = gaDialect): Promise<RealtimeSession> {
  const endpoint = resolveEndpoint({ model: 'gpt-realtime', protocol: dialect.name, url: server.url, apiKey: 'sk-session-test-000' });
  return new RealtimeSession(await WebSocketTransport.connect(endpoint), dialect);
}

function waitFor(session: RealtimeSession, type: string, count = 1): Promise<ServerEvent[]> {
  const seen: ServerEvent[] = [];
  return new Promise((resolve) => {
    session.on('server-event', (event) => {
      if (event.type === type) seen.push(event);
      if (seen.length === count) resolve(seen);
    });
  });
}

test('a second response.create waits until the first response is done', async () => {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  const answer = (n: number): void => gaVoiceTurn({ assistantTranscript: `answer ${n}`, audioChunks: [] }).forEach((reply) => connection.deliver(reply));
  session.sendText('one');
  session.sendText('two');
  const types = (): string[] => connection.received.map((event) => event.type);
  assert.deepEqual(types(), ['conversation.item.create', 'response.create'], 'the second request (its item with it) held back while the first response runs');
  answer(1);
  assert.deepEqual(types(), ['conversation.item.create', 'response.create', 'conversation.item.create', 'response.create'], 'and sent once it is done');
  answer(2);
  assert.deepEqual(session.state.items.filter((item) => item.speaker === 'assistant').map((item) => item.text), ['answer 1', 'answer 2']);
  await session.close();
});

test('a create refused because the server already responds is retried after that response', async () => {
  let creates = 0;
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      creates += 1;
      if (creates === 1) {
        const serverTurn = gaVoiceTurn({ assistantTranscript: 'vad reply', audioChunks: [] });
        connection.send({ type: 'error', event_id: 'e', error: { type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'busy', param: null, event_id: event.event_id } });
        serverTurn.forEach((reply) => connection.send(reply));
      } else {
        gaVoiceTurn({ assistantTranscript: 'typed reply', audioChunks: [] }).forEach((reply) => connection.send(reply));
      }
    },
  });
  servers.push(server);
  const session = await connect(server);
  const done = waitFor(session, 'response.done', 2);
  session.createResponse();
  await done;
  assert.equal(creates, 2);
  await session.close();
});

test('beta events from the server reach listeners as GA events', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type === 'response.create') connection.send({ type: 'response.audio_transcript.delta', event_id: 'e', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: 'やあ' });
    },
  });
  servers.push(server);
  const session = await connect(server, betaDialect);
  const seen = waitFor(session, 'response.output_audio_transcript.delta');
  session.createResponse({ output_modalities: ['audio'] });
  const [event] = await seen;
  assert.equal((event as { delta: string }).delta, 'やあ');
  const sent = server.connections[0]!.received[0] as unknown as { response: { modalities: string[] } };
  assert.deepEqual(sent.response.modalities, ['text', 'audio']);
  await session.close();
});

class BackedUpTransport extends EventEmitter implements ListeningTransport {
  sent: string[] = [];
  bufferedAmount = 0;
  isOpen = true;
  send(text: string): void { this.sent.push(text); }
  async close(): Promise<void> { this.isOpen = false; }
}

test('audio is dropped and counted, not queued, while the socket is backed up', () => {
  const transport = new BackedUpTransport();
  const session = new RealtimeSession(transport, gaDialect, { maxBufferedBytes: 1000 });
  assert.equal(session.appendAudio(Buffer.alloc(480)), true);
  transport.bufferedAmount = 5000;
  assert.equal(session.appendAudio(Buffer.alloc(480)), false);
  assert.equal(session.appendAudio(Buffer.alloc(480)), false);
  assert.equal(session.droppedAudioChunks, 2);
  assert.equal(transport.sent.length, 1);
});

test('an append sent as any other event, with audio that needs escaping, still goes out as valid JSON', () => {
  for (const dialect of [gaDialect, betaDialect]) {
    const transport = new BackedUpTransport();
    const session = new RealtimeSession(transport, dialect);
    session.send({ type: 'input_audio_buffer.append', audio: 'not "base64"\\' });
    assert.equal((JSON.parse(transport.sent[0]!) as { audio: string }).audio, 'not "base64"\\');
  }
});

test('an audio append goes out as the JSON of the client event it reports, in both dialects', () => {
  for (const dialect of [gaDialect, betaDialect]) {
    const transport = new BackedUpTransport();
    const session = new RealtimeSession(transport, dialect);
    const reported: unknown[] = [];
    session.on('client-event', (event) => reported.push(event));
    const pcm = Buffer.from(Array.from({ length: 960 }, (_, i) => (i * 37) % 256));
    assert.equal(session.appendAudio(pcm), true);
    assert.equal(reported.length, 1);
    assert.equal(transport.sent[0], JSON.stringify(reported[0]));
    const sent = JSON.parse(transport.sent[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sent), ['type', 'audio', 'event_id']);
    assert.equal(sent.type, 'input_audio_buffer.append');
    assert.deepEqual(Buffer.from(sent.audio as string, 'base64'), pcm);
    assert.match(sent.event_id as string, /^evt_[0-9a-f]{8}_1$/);
  }
});

test('frames that are not JSON, lack a type or lack required fields are reported, not thrown', () => {
  const transport = new BackedUpTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const reasons: string[] = [];
  const events: string[] = [];
  session.on('malformed', (reason) => reasons.push(reason));
  session.on('server-event', (event) => events.push(event.type));
  for (const frame of ['nope', '[]', '{"no":"type"}', '{"type":"response.output_audio.delta","item_id":"i"}', '{"type":"brand.new.event"}']) {
    transport.emit('message', frame);
  }
  assert.equal(reasons.length, 4);
  assert.deepEqual(events, ['brand.new.event']);
});

test('an event sent together with the upgrade (session.created) is not lost before the session listens', async () => {
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send({ type: 'session.created', event_id: 'e0', session: { type: 'realtime', model: 'early-bird' } }),
  });
  servers.push(server);
  const endpoint = resolveEndpoint({ model: 'm', protocol: 'ga', url: server.url, apiKey: 'sk-session-test-000' });
  const transport = await WebSocketTransport.connect(endpoint);
  // The frame is in before anyone listens (the transport keeps it aside until someone does).
  await waitUntil(() => (transport as unknown as { early: string[] }).early.length > 0, { what: 'session.created to arrive before the session listens' });
  const session = new RealtimeSession(transport, gaDialect);
  await waitUntil(() => session.state.session?.model === 'early-bird', { what: 'the early session.created to reach the session' });
  assert.equal(session.state.session?.model, 'early-bird');
  await session.close();
});

test("limitAsking('tool answers'): typed lines waiting are not sent, the answer to a tool's outputs still is", () => {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  const creates = (): number => connection.received.filter((event) => event.type === 'response.create').length;
  session.sendText('one');
  session.sendText('two');
  session.sendText('three');
  assert.equal(creates(), 1);
  session.limitAsking('tool answers');
  session.createResponseAhead();
  assert.equal(session.responsesOutstanding, true, 'the answer under way, and the tool answer behind it');
  gaVoiceTurn({ assistantTranscript: 'answer 1', audioChunks: [] }).forEach((event) => connection.deliver(event));
  assert.equal(creates(), 2, 'the tool answer was asked for');
  assert.equal(connection.received.filter((event) => event.type === 'conversation.item.create').length, 1, 'no waiting line was sent with it');
  gaVoiceTurn({ assistantTranscript: 'answer 2', audioChunks: [] }).forEach((event) => connection.deliver(event));
  assert.equal(creates(), 2, 'nothing more after it');
  assert.equal(session.responsesOutstanding, false, 'held lines are not waited for');
  session.sendText('four');
  assert.equal(creates(), 2, 'a line typed later is held too');
  const waiting = session.unsentUserTexts.filter((unsent) => unsent.why === 'turn never came');
  assert.deepEqual(waiting.map((unsent) => unsent.text), ['two', 'three', 'four']);
  void session.close();
});

test("limitAsking('none') in the listener of the response that ends the session: the next line is never sent", () => {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  session.on('response-finished', () => session.limitAsking('none'));
  session.sendText('one');
  session.sendText('two');
  gaVoiceTurn({ assistantTranscript: 'answer 1', audioChunks: [] }).forEach((event) => connection.deliver(event));
  assert.equal(connection.received.filter((event) => event.type === 'response.create').length, 1);
  assert.equal(session.responsesOutstanding, false);
  assert.deepEqual(session.unsentUserTexts.filter((unsent) => unsent.why === 'turn never came'), [{ text: 'two', why: 'turn never came' }]);
  void session.close();
});

test('a line sent before the connection dropped is reported as sent and never confirmed, not as not sent; one typed while it was down is not sent', () => {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  session.sendText('sent before the drop');
  assert.equal(connection.received.filter((event) => event.type === 'conversation.item.create').length, 1, 'it went out');
  void connection.close(1011, 'gone');
  session.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'typed while down' }] } });
  assert.deepEqual(session.unsentUserTexts, [
    { text: 'sent before the drop', why: 'never confirmed' },
    { text: 'typed while down', why: 'connection down' },
  ]);
});

/** A session whose typed line the server took in (conversation.item.added), and nothing more yet. */
function sessionWithConfirmedLine(text: string): { connection: InMemoryTransport; session: RealtimeSession } {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  session.sendText(text);
  const sent = connection.received.find((event) => event.type === 'conversation.item.create') as unknown as { item: { id: string } };
  connection.deliver({ type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item: { ...sent.item, object: 'realtime.item', status: 'completed' } });
  return { connection, session };
}

test('a typed line the server took in whose answer never came is reported as sent and not answered; once answered it is not reported', () => {
  const { connection, session } = sessionWithConfirmedLine('asked');
  assert.deepEqual(session.unsentUserTexts, [{ text: 'asked', why: 'never answered' }]);
  gaVoiceTurn({ assistantTranscript: 'the answer', audioChunks: [] }).forEach((event) => connection.deliver(event));
  assert.deepEqual(session.unsentUserTexts, []);
  void session.close();
});

test('a typed line whose response only called a tool is not answered yet: the answer to the tool\'s output is', () => {
  const { connection, session } = sessionWithConfirmedLine('what time is it?');
  const call = { id: 'item_call', type: 'function_call', object: 'realtime.item', status: 'completed', name: 'time', call_id: 'call_1', arguments: '{}' };
  connection.deliver({ type: 'response.created', event_id: 'e2', response: { object: 'realtime.response', id: 'resp_tool', status: 'in_progress', output: [] } });
  connection.deliver({ type: 'response.done', event_id: 'e3', response: { object: 'realtime.response', id: 'resp_tool', status: 'completed', output: [call] } });
  assert.deepEqual(session.unsentUserTexts, [{ text: 'what time is it?', why: 'never answered' }]);
  session.createResponseAhead();
  gaVoiceTurn({ assistantTranscript: 'It is noon.', audioChunks: [] }).forEach((event) => connection.deliver(event));
  assert.deepEqual(session.unsentUserTexts, []);
  void session.close();
});

test('a typed line a GPT-Live transport still held when its session.start was refused was never sent: reported as not sent, not as sent and unconfirmed', async () => {
  const socket = new InMemoryTransport((event, transport) => {
    if (event.type === 'session.start') {
      transport.deliver({ type: 'error', event_id: 'ev_e', error: { type: 'invalid_request_error', code: 'unsupported_delegation', message: 'No backend.', client_event_id: event.event_id } });
    }
  });
  const session = new RealtimeSession(new LiveTransport(socket), gaDialect);
  session.updateSession({ type: 'realtime', model: 'gpt-live-1' });
  session.sendText('what time is it?');
  await drained();
  assert.deepEqual(socket.received.map((event) => event.type), ['session.start'], 'Live takes nothing before session.started');
  await session.close();
  assert.deepEqual(session.unsentUserTextsWith(false), [{ text: 'what time is it?', why: 'session never started' }]);
});
