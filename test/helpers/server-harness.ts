/** Starts a `kaiwa serve` server for one test on 127.0.0.1 and a free port. */
import { after } from 'node:test';
import { startRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { TestClient, type ConnectOptions, type Json } from './server-client.js';
import { fakeSpeech } from './server-speech.js';

export async function startTestServer(options: Partial<RealtimeServerOptions> = {}): Promise<RealtimeServer> {
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: fakeSpeech(), ...options });
  after(() => server.close());
  return server;
}

/** Connects and consumes `session.created`. */
export async function connectClient(server: RealtimeServer, options: ConnectOptions = {}): Promise<{ client: TestClient; session: Json }> {
  const client = await TestClient.connect(server.url, { ca: server.certificate, ...options });
  after(() => client.close());
  const created = await client.next('session.created');
  return { client, session: created.session as Json };
}

/** A text-only, manual-commit session: the simplest base for protocol tests. */
export async function textSession(server: RealtimeServer, session: Record<string, unknown> = {}): Promise<TestClient> {
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } }, ...session } });
  await client.next('session.updated');
  return client;
}

export function userText(text: string): Record<string, unknown> {
  return { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } };
}

export function types(events: readonly Json[]): string[] {
  return events.map((event) => event.type);
}
