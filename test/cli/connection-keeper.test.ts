/** The connection keeper tells the status bar how the connection stands: each reconnect attempt, the reconnect, and the end when there is none. */
import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { ConnectionKeeper } from '../../src/cli/connection-keeper.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { silentLogger } from '../../src/logger.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';
import type { TerminalUi } from '../../src/cli/tui/terminal-ui.js';
import type { UiAction } from '../../src/cli/tui/ui-state.js';

/** A connection whose server answers session.update, as the service does: that answer proves the new session began. */
class MemoryTransport extends EventEmitter implements ListeningTransport {
  bufferedAmount = 0;
  isOpen = true;
  send(text: string): void {
    if ((JSON.parse(text) as { type: string }).type !== 'session.update') return;
    queueMicrotask(() => this.emit('message', JSON.stringify({ type: 'session.updated', event_id: 'e', session: { type: 'realtime' } })));
  }
  async close(): Promise<void> { this.isOpen = false; }
}

// The back-off waits on setTimeout and measures its deadline with Date: both are mocked.
beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
afterEach(() => mock.timers.reset());

/** Runs every back-off timer until `work` settles. */
async function settle<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  void work.finally(() => { settled = true; }).catch(() => undefined);
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    mock.timers.runAll();
  }
  return work;
}

/** A keeper whose UI only records what it is told; the connection is already lost. */
function keeperOf(connect: (() => Promise<ListeningTransport>) | undefined, reconnect = true): { keeper: ConnectionKeeper; told: UiAction[] } {
  const first = new MemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  first.isOpen = false;
  const told: UiAction[] = [];
  const ui = { dispatch: (action: UiAction) => told.push(action) } as unknown as TerminalUi;
  const keeper = new ConnectionKeeper({
    session, logger: silentLogger, ui, sessionConfig: { type: 'realtime' }, connect, reconnect,
    reconnectTimeoutSeconds: 60, renewAfterMinutes: 0, quiet: () => true,
  });
  return { keeper, told };
}

test('each reconnect attempt is told to the status bar, then the reconnect', async () => {
  let tries = 0;
  const { keeper, told } = keeperOf(async () => {
    tries += 1;
    if (tries < 3) throw new Error('connect ECONNREFUSED 127.0.0.1');
    return new MemoryTransport();
  });
  assert.equal(await settle(keeper.connectionLost(1006, '')), true);
  assert.deepEqual(told, [
    { type: 'reconnecting', attempt: 1 }, { type: 'reconnecting', attempt: 2 }, { type: 'reconnecting', attempt: 3 }, { type: 'connected' },
  ]);
});

test('given up after --reconnect-timeout, or with reconnecting off, the status bar is told the connection is over', async () => {
  const refused = keeperOf(async () => { throw new Error('connect ECONNREFUSED 127.0.0.1'); });
  assert.equal(await settle(refused.keeper.connectionLost(1006, '')), false);
  assert.deepEqual(refused.told.at(-1), { type: 'connection-ended' });
  assert.ok(refused.told.slice(0, -1).every((action) => action.type === 'reconnecting'));
  const off = keeperOf(async () => new MemoryTransport(), false);
  assert.equal(await off.keeper.connectionLost(1006, ''), false);
  assert.deepEqual(off.told, [{ type: 'connection-ended' }]);
});
