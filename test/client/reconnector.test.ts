import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { Reconnector, type ReconnectOptions } from '../../src/client/reconnector.js';
import { upgradeRejected, socketFailed } from '../../src/client/connection-errors.js';
import { ConnectionError } from '../../src/errors.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';

/** A connection whose server answers session.update, as the service does: that answer proves the new session began. */
class MemoryTransport extends EventEmitter implements ListeningTransport {
  sent: Array<{ type: string; item?: unknown }> = [];
  bufferedAmount = 0;
  isOpen = true;
  constructor(private readonly answers = true) { super(); }
  send(text: string): void {
    const event = JSON.parse(text) as { type: string };
    this.sent.push(event);
    if (this.answers && event.type === 'session.update') queueMicrotask(() => this.serverSays({ type: 'session.updated', event_id: 'e', session: { type: 'realtime' } }));
  }
  async close(): Promise<void> { this.isOpen = false; }
  serverSays(event: object): void { this.emit('message', JSON.stringify(event)); }
}

function item(id: string, role: 'user' | 'assistant', text: string): object {
  return { type: 'conversation.item.done', event_id: 'e', item: { id, type: 'message', role, status: 'completed', content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] } };
}

// The back-off waits on setTimeout and measures its deadline with Date: both are mocked,
// so the tests run the schedule without waiting for it.
beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
afterEach(() => mock.timers.reset());

/** Runs every back-off timer the reconnector sets until the recovery settles. */
async function settle<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  void work.finally(() => { settled = true; }).catch(() => undefined);
  while (!settled) {
    // Lets the reconnector reach its next setTimeout (connect() is async), then fires it.
    await new Promise((resolve) => setImmediate(resolve));
    mock.timers.runAll();
  }
  return work;
}

function reconnector(session: RealtimeSession, options: Partial<ReconnectOptions> & Pick<ReconnectOptions, 'connect'>): Reconnector {
  return new Reconnector(session, { sessionConfig: () => ({ type: 'realtime' }), random: () => 0.5, ...options });
}

test('after a reconnect the config is re-applied and the conversation restored, in order', async () => {
  const first = new MemoryTransport();
  const second = new MemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  first.serverSays(item('a', 'user', 'こんにちは'));
  first.serverSays(item('b', 'assistant', 'はい、こんにちは'));
  const recovery = reconnector(session, { connect: async () => second, sessionConfig: () => ({ type: 'realtime', instructions: 'x' }), firstDelayMs: 1 });
  first.isOpen = false;
  assert.equal(await settle(recovery.recover('test')), true);
  assert.deepEqual(second.sent.map((event) => event.type), ['session.update', 'conversation.item.create', 'conversation.item.create']);
  assert.deepEqual(second.sent.slice(1).map((event) => event.item), [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'こんにちは' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'はい、こんにちは' }] },
  ]);
  assert.equal(session.state.items.length, 0, 'the new session announces the restored items itself');
});

test('the session announces reconnected itself, once its config and context are on the new connection', async () => {
  const first = new MemoryTransport();
  const second = new MemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  first.serverSays(item('a', 'user', 'hello'));
  const announced: Array<{ restored: number; sentBefore: string[] }> = [];
  session.on('reconnected', (restored) => announced.push({ restored, sentBefore: second.sent.map((event) => event.type) }));
  const recovery = reconnector(session, { connect: async () => second, firstDelayMs: 1 });
  assert.equal(await settle(recovery.recover('lost')), true);
  assert.deepEqual(announced, [{ restored: 1, sentBefore: ['session.update', 'conversation.item.create'] }]);
});

test('back-off grows and gives up at the deadline', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  const delays: number[] = [];
  let gaveUp = '';
  const recovery = reconnector(session, {
    connect: async () => { throw new Error('refused'); },
    firstDelayMs: 10, maxDelayMs: 80, giveUpAfterMs: 400,
    onReconnecting: (_attempt, delay) => delays.push(delay),
    onGaveUp: (reason) => { gaveUp = reason; },
  });
  const started = Date.now();
  assert.equal(await settle(recovery.recover('lost')), false);
  assert.deepEqual(delays, [10, 20, 40, 80, 80, 80, 80], 'the waits fit in the 400 ms deadline and no more');
  assert.ok(Date.now() - started <= 400, 'no attempt starts past the deadline');
  assert.equal(gaveUp, 'refused');
});

test('a refusal that may pass (429, 500, 503, connection refused, a timeout) is retried', async () => {
  const refusals = [upgradeRejected(429, 'ws://x'), upgradeRejected(500, 'ws://x'), upgradeRejected(503, 'ws://x'),
    socketFailed(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ws://x'),
    new ConnectionError('cannot connect to ws://x: no answer', { code: 'timeout' })];
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  let attempts = 0;
  const recovery = reconnector(session, {
    connect: async () => { const refusal = refusals[attempts++]; if (refusal) throw refusal; return new MemoryTransport(); },
    firstDelayMs: 10,
  });
  assert.equal(await settle(recovery.recover('lost')), true);
  assert.equal(attempts, 6);
});

for (const status of [401, 403, 404]) {
  test(`${status} at the first reconnect attempt stops at once: one attempt, the one-line error, no give-up`, async () => {
    const session = new RealtimeSession(new MemoryTransport(), gaDialect);
    let attempts = 0;
    const rejected: ConnectionError[] = [];
    let gaveUp = false;
    const recovery = reconnector(session, {
      connect: async () => { attempts += 1; throw upgradeRejected(status, 'ws://x'); },
      firstDelayMs: 10, giveUpAfterMs: 60_000,
      onRejected: (error) => rejected.push(error),
      onGaveUp: () => { gaveUp = true; },
    });
    assert.equal(await settle(recovery.recover('lost')), false);
    assert.equal(attempts, 1);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.status, status);
    assert.match(rejected[0]!.message, new RegExp(`^cannot connect to ws://x: .*\\(${status}`));
    assert.equal(gaveUp, false);
  });

  test(`${status} while reconnecting after a drop (the server came back refusing us) stops at that attempt`, async () => {
    const second = new MemoryTransport();
    const session = new RealtimeSession(new MemoryTransport(), gaDialect);
    let attempts = 0;
    const rejected: number[] = [];
    const recovery = reconnector(session, {
      connect: async () => {
        attempts += 1;
        if (attempts === 1) return second;
        throw attempts === 2 ? upgradeRejected(503, 'ws://x') : upgradeRejected(status, 'ws://x');
      },
      firstDelayMs: 10, giveUpAfterMs: 60_000,
      onRejected: (error) => rejected.push(error.status!),
    });
    assert.equal(await settle(recovery.recover('code 1006')), true, 'the first drop recovers');
    second.serverSays({ type: 'session.created', event_id: 'e0', session: {} });
    const attemptsBefore = attempts;
    assert.equal(await settle(recovery.recover('code 1006')), false, 'the second drop meets the refusal');
    assert.equal(attempts - attemptsBefore, 2, 'a 503 is retried; the refusal after it is the last attempt');
    assert.deepEqual(rejected, [status]);
  });
}

test('a server that accepts and hangs up before saying hello does not get a fresh deadline', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  let attempts = 0;
  const recovery = reconnector(session, {
    connect: async () => { attempts += 1; return new MemoryTransport(); },
    firstDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: 200,
  });
  const started = Date.now();
  while (await settle(recovery.recover('hung up'))) { /* it connects, then the line drops again at once */ }
  assert.ok(Date.now() - started <= 200, `gave up at the first deadline (${Date.now() - started} ms of mocked time)`);
  assert.ok(attempts >= 2);
});

test('a server that accepts the connection and closes it at once is a failed attempt: the attempt number rises and back-off grows', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  const attempts: Array<{ attempt: number; delay: number; reason: string }> = [];
  let reconnected = 0;
  const hangsUp = (): MemoryTransport => {
    const transport = new MemoryTransport(false);
    queueMicrotask(() => { transport.isOpen = false; transport.emit('close', 1006, ''); });
    return transport;
  };
  const recovery = reconnector(session, {
    connect: async () => hangsUp(),
    firstDelayMs: 10, maxDelayMs: 1000, giveUpAfterMs: 200,
    onReconnecting: (attempt, delay, reason) => attempts.push({ attempt, delay, reason }),
    onReconnected: () => { reconnected += 1; },
  });
  assert.equal(await settle(recovery.recover('lost')), false);
  assert.equal(reconnected, 0, 'never reported as reconnected');
  assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3, 4]);
  assert.deepEqual(attempts.map((a) => a.delay), [10, 20, 40, 80]);
  assert.match(attempts[1]!.reason, /closed the new connection before the session began/);
});

test('a server that answers with what is not a Realtime event and hangs up is a failed attempt, never reported as reconnected', async () => {
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  const attempts: number[] = [];
  let reconnected = 0;
  // It answers kaiwa's first words (the session.update on the new connection), as any WebSocket server might.
  const answersGarbage = (): MemoryTransport => {
    const transport = new MemoryTransport(false);
    transport.send = () => queueMicrotask(() => {
      transport.emit('message', 'not a Realtime server');
      transport.serverSays({ hello: 'world' });
      transport.isOpen = false;
      transport.emit('close', 1011, 'bye');
    });
    return transport;
  };
  const recovery = reconnector(session, {
    connect: async () => answersGarbage(), firstDelayMs: 10, maxDelayMs: 1000, giveUpAfterMs: 200,
    onReconnecting: (attempt) => attempts.push(attempt),
    onReconnected: () => { reconnected += 1; },
  });
  assert.equal(await settle(recovery.recover('lost')), false);
  assert.equal(reconnected, 0);
  assert.deepEqual(attempts, [1, 2, 3, 4]);
});

test('a loss noticed again while recovering joins the same recovery instead of failing it', async () => {
  const second = new MemoryTransport();
  const session = new RealtimeSession(new MemoryTransport(), gaDialect);
  const recovery = reconnector(session, { connect: async () => second, firstDelayMs: 1 });
  const first = recovery.recover('lost');
  const again = recovery.recover('lost again');
  assert.equal(again, first);
  assert.equal(await settle(first), true);
});

const created = (id: string): object => ({ type: 'response.created', event_id: 'e', response: { id, object: 'realtime.response', status: 'in_progress', output: [], conversation_id: 'conv', metadata: null } });
const delta = (responseId: string, itemId: string): object[] => [
  { type: 'response.output_item.added', event_id: 'e', response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] } },
  { type: 'response.output_text.delta', event_id: 'e', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: 'It is ' },
];
const creates = (transport: MemoryTransport): number => transport.sent.filter((event) => event.type === 'response.create').length;

test('a reply cut off mid-way is asked for once more, without what it had said; cut off again once under way, it is given up', async () => {
  const transports = [new MemoryTransport(), new MemoryTransport(), new MemoryTransport()];
  const session = new RealtimeSession(transports[0]!, gaDialect);
  let givenUp = 0;
  session.on('reply-given-up', () => { givenUp += 1; });
  let next = 1;
  const recovery = reconnector(session, { connect: async () => transports[next++]!, firstDelayMs: 1 });
  transports[0]!.serverSays(item('a', 'user', 'what time is it'));
  transports[0]!.serverSays(created('r1'));
  for (const event of delta('r1', 'b')) transports[0]!.serverSays(event);
  assert.equal(await settle(recovery.recover('lost')), true);
  assert.equal(creates(transports[1]!), 1, 'asked again');
  assert.deepEqual(transports[1]!.sent.filter((event) => event.type === 'conversation.item.create').map((event) => (event.item as { role: string }).role), ['user'],
    'the half-said answer is not restored');
  assert.equal(session.replyToAskAgain, undefined, 'nothing under way yet');
  transports[1]!.serverSays(created('r2'));
  assert.equal(await settle(recovery.recover('lost again')), true);
  assert.equal(creates(transports[2]!), 0, 'no third request');
  assert.equal(givenUp, 1);
});

test('a request asked again whose connection dies before its response began is asked again, three times at most', async () => {
  const transports = Array.from({ length: 5 }, () => new MemoryTransport());
  const session = new RealtimeSession(transports[0]!, gaDialect);
  let givenUp = 0;
  session.on('reply-given-up', () => { givenUp += 1; });
  let next = 1;
  const recovery = reconnector(session, { connect: async () => transports[next++]!, firstDelayMs: 1 });
  transports[0]!.serverSays(created('r1'));
  for (let lost = 1; lost <= 4; lost++) assert.equal(await settle(recovery.recover(`lost ${lost}`)), true);
  assert.deepEqual(transports.slice(1).map(creates), [1, 1, 1, 0]);
  assert.equal(givenUp, 1);
});

test('a reply that finished resets the count: the next one cut off is asked for again', async () => {
  const transports = [new MemoryTransport(), new MemoryTransport(), new MemoryTransport()];
  const session = new RealtimeSession(transports[0]!, gaDialect);
  let next = 1;
  const recovery = reconnector(session, { connect: async () => transports[next++]!, firstDelayMs: 1 });
  transports[0]!.serverSays(created('r1'));
  assert.equal(await settle(recovery.recover('lost')), true);
  transports[1]!.serverSays(created('r2'));
  transports[1]!.serverSays({ type: 'response.done', event_id: 'e', response: { id: 'r2', object: 'realtime.response', status: 'completed', output: [], conversation_id: 'conv', metadata: null } });
  transports[1]!.serverSays(created('r3'));
  assert.equal(await settle(recovery.recover('lost during the next reply')), true);
  assert.equal(creates(transports[2]!), 1);
});

test('a reply a lost connection cut off is settled as the connection goes: no longer active, its item incomplete, still owed; asked again, and the new session has none active', async () => {
  const transports = [new MemoryTransport(), new MemoryTransport()];
  const session = new RealtimeSession(transports[0]!, gaDialect);
  const recovery = reconnector(session, { connect: async () => transports[1]!, firstDelayMs: 1 });
  transports[0]!.serverSays(item('a', 'user', 'what time is it'));
  transports[0]!.serverSays(created('r1'));
  for (const event of delta('r1', 'b')) transports[0]!.serverSays(event);
  const states: Array<string | undefined> = [];
  session.on('state', (state) => states.push(state.activeResponseId));
  transports[0]!.isOpen = false;
  transports[0]!.emit('close', 1006, '');
  // No response.done will ever come for r1: the loss itself ends it, and says so.
  assert.deepEqual(states, [undefined], 'told at once that nothing is under way');
  assert.equal(session.responseInFlight, false, 'a barge-in or a new request sees nothing to wait for or cancel');
  assert.equal(session.state.items.find((each) => each.id === 'b')?.status, 'incomplete', 'the half-said reply is cut off');
  assert.equal(session.responsesOutstanding, true, 'the reply is still owed: a run does not end before it is asked again');
  assert.equal(session.replyToAskAgain, 'r1');
  assert.equal(await settle(recovery.recover('lost')), true);
  assert.equal(creates(transports[1]!), 1, 'asked again');
  assert.deepEqual(transports[1]!.sent.filter((event) => event.type === 'conversation.item.create').map((event) => (event.item as { role: string }).role), ['user'],
    'the half-said answer is not restored');
  assert.equal(session.state.activeResponseId, undefined);
});

test('reconnected is told as the new session first speaks, before what the server sent with it in the same read', async () => {
  const first = new MemoryTransport();
  const second = new MemoryTransport(false);
  const session = new RealtimeSession(first, gaDialect);
  const order: string[] = [];
  session.on('server-event', (event) => order.push(event.type));
  const originalSend = second.send.bind(second);
  second.send = (text: string) => {
    originalSend(text);
    // One socket read carrying several events: ws emits them one after the other, synchronously.
    if ((JSON.parse(text) as { type: string }).type === 'session.update') queueMicrotask(() => {
      second.serverSays({ type: 'session.updated', event_id: 'e1', session: { type: 'realtime' } });
      second.serverSays({ type: 'response.created', event_id: 'e2', response: { id: 'r1', object: 'realtime.response', status: 'in_progress', output: [] } });
    });
  };
  const recovery = reconnector(session, { connect: async () => second, firstDelayMs: 1, onReconnected: () => order.push('reconnected') });
  first.isOpen = false;
  assert.equal(await settle(recovery.recover('lost')), true);
  assert.deepEqual(order, ['session.updated', 'reconnected', 'response.created']);
});
