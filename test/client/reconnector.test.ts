import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { Reconnector } from '../../src/client/reconnector.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';

class MemoryTransport extends EventEmitter implements ListeningTransport {
  sent: Array<{ type: string; item?: unknown }> = [];
  bufferedAmount = 0;
  isOpen = true;
  send(text: string): void { this.sent.push(JSON.parse(text)); }
  async close(): Promise<void> { this.isOpen = false; }
  serverSays(event: object): void { this.emit('message', JSON.stringify(event)); }
}

function item(id: string, role: 'user' | 'assistant', text: string): object {
  return { type: 'conversation.item.done', event_id: 'e', item: { id, type: 'message', role, status: 'completed', content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] } };
}

test('after a reconnect the config is re-applied and the conversation restored, in order', async () => {
  const first = new MemoryTransport();
  const second = new MemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  first.serverSays(item('a', 'user', 'こんにちは'));
  first.serverSays(item('b', 'assistant', 'はい、こんにちは'));
  const reconnector = new Reconnector(session, { connect: async () => second, sessionConfig: () => ({ type: 'realtime', instructions: 'x' }), firstDelayMs: 1, random: () => 0.5 });
  first.isOpen = false;
  assert.equal(await reconnector.recover('test'), true);
  assert.deepEqual(second.sent.map((event) => event.type), ['session.update', 'conversation.item.create', 'conversation.item.create']);
  assert.deepEqual(second.sent.slice(1).map((event) => event.item), [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'こんにちは' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'はい、こんにちは' }] },
  ]);
  assert.equal(session.state.items.length, 0, 'the new session announces the restored items itself');
});

test('back-off grows and gives up at the deadline', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  const delays: number[] = [];
  let gaveUp = '';
  const reconnector = new Reconnector(session, {
    connect: async () => { throw new Error('refused'); },
    sessionConfig: () => ({ type: 'realtime' }),
    firstDelayMs: 10, maxDelayMs: 80, giveUpAfterMs: 400, random: () => 0.5,
    onReconnecting: (_attempt, delay) => delays.push(delay),
    onGaveUp: (reason) => { gaveUp = reason; },
  });
  assert.equal(await reconnector.recover('lost'), false);
  assert.deepEqual(delays.slice(0, 5), [10, 20, 40, 80, 80]);
  assert.equal(gaveUp, 'refused');
});

test('a server that accepts and hangs up before saying hello does not get a fresh deadline', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  let attempts = 0;
  const reconnector = new Reconnector(session, {
    connect: async () => { attempts += 1; return new MemoryTransport(); },
    sessionConfig: () => ({ type: 'realtime' }),
    firstDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: 200, random: () => 0.5,
  });
  const started = Date.now();
  while (await reconnector.recover('hung up')) { /* it connects, then the line drops again at once */ }
  assert.ok(Date.now() - started < 400, 'gave up near the first deadline');
  assert.ok(attempts >= 2);
});
