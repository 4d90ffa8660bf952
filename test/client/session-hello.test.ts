import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { SessionHelloWatch, helloFailureMessage, type HelloFailure } from '../../src/client/session-hello.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';

class MemoryTransport extends EventEmitter implements ListeningTransport {
  bufferedAmount = 0;
  isOpen = true;
  send(): void {}
  async close(): Promise<void> { this.isOpen = false; }
  serverSays(frame: object | string): void { this.emit('message', typeof frame === 'string' ? frame : JSON.stringify(frame)); }
}

const SESSION_CREATED = { type: 'session.created', event_id: 'e0', session: { type: 'realtime' } };

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

function watched(transport: MemoryTransport): { session: RealtimeSession; failures: HelloFailure[]; watch: SessionHelloWatch } {
  const session = new RealtimeSession(transport, gaDialect);
  const failures: HelloFailure[] = [];
  const watch = new SessionHelloWatch(session, (failure) => failures.push(failure), 15_000);
  return { session, failures, watch };
}

test('a server that says session.created has begun a session: the watch never fires', () => {
  const transport = new MemoryTransport();
  const { failures, watch } = watched(transport);
  transport.serverSays(SESSION_CREATED);
  mock.timers.tick(60_000);
  assert.deepEqual(failures, []);
  assert.equal(watch.sessionBegun, true);
});

test('session.created that reached the session before the watch was made counts (it often rides with the upgrade)', () => {
  const transport = new MemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  transport.serverSays(SESSION_CREATED);
  const failures: HelloFailure[] = [];
  const watch = new SessionHelloWatch(session, (failure) => failures.push(failure), 15_000);
  mock.timers.tick(60_000);
  assert.deepEqual(failures, []);
  assert.equal(watch.sessionBegun, true);
});

test('a server that only sends what is not a Realtime event begins no session: the watch fires once, at its limit, with the count', () => {
  const transport = new MemoryTransport();
  const { failures } = watched(transport);
  transport.serverSays('hello there');
  transport.serverSays({ hello: 1 });
  mock.timers.tick(14_999);
  assert.deepEqual(failures, []);
  mock.timers.tick(1);
  assert.deepEqual(failures, [{ kind: 'silent', waitedMs: 15_000, malformed: 2 }]);
});

test('a Realtime event that is not the session beginning (an error) does not begin one', () => {
  const transport = new MemoryTransport();
  const { failures, watch } = watched(transport);
  transport.serverSays({ type: 'error', event_id: 'e1', error: { type: 'server_error', message: 'busy' } });
  mock.timers.tick(15_000);
  assert.equal(watch.sessionBegun, false);
  assert.equal(failures.length, 1);
});

test('a close before the session began is told with what the server sent, and the silence timer no longer fires', () => {
  const transport = new MemoryTransport();
  const { failures, watch } = watched(transport);
  transport.serverSays('garbage');
  assert.deepEqual(watch.closedBeforeHello(1011, 'bye'), { kind: 'closed', code: 1011, reason: 'bye', malformed: 1 });
  mock.timers.tick(60_000);
  assert.deepEqual(failures, []);
});

test('the one line says what happened and, when the server sent something else, asks whether the URL is a Realtime endpoint', () => {
  assert.equal(helloFailureMessage({ kind: 'closed', code: 1011, reason: 'bye', malformed: 1 }),
    'the server closed the connection before a session began (code 1011: bye); what it sent (1 message) was not Realtime events: is the URL a Realtime endpoint?');
  assert.equal(helloFailureMessage({ kind: 'closed', code: 1006, reason: '', malformed: 0 }), 'the server closed the connection before a session began (code 1006)');
  assert.equal(helloFailureMessage({ kind: 'silent', waitedMs: 15_000, malformed: 0 }),
    'the server accepted the connection but began no session in 15 s (no session.created)');
  assert.match(helloFailureMessage({ kind: 'silent', waitedMs: 300, malformed: 3 }), /in 0\.3 s .*\(3 messages\)/);
});
