/**
 * A tool still running when the connection drops: its output waits for the session's own
 * `reconnected` (no polling) and then goes to the new connection, followed by one
 * response.create. Played on in-memory transports with a real RealtimeSession.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';
import { attachTools } from '../../src/tools/tool-runner.js';
import type { Tool } from '../../src/tools/tool.js';

class MemoryTransport extends EventEmitter implements ListeningTransport {
  readonly sent: Array<{ type: string; item?: { type: string; call_id?: string; output?: string } }> = [];
  bufferedAmount = 0;
  isOpen = true;
  send(text: string): void { if (this.isOpen) this.sent.push(JSON.parse(text)); }
  async close(): Promise<void> { this.isOpen = false; }
  serverSays(event: object): void { this.emit('message', JSON.stringify(event)); }
  drop(): void { this.isOpen = false; this.emit('close', 1006, ''); }
}

function responseWithCall(callId: string): object {
  const call = { id: `item_${callId}`, object: 'realtime.item', type: 'function_call', status: 'completed', name: 'slow', call_id: callId, arguments: '{}' };
  return { type: 'response.done', event_id: 'e1', response: { object: 'realtime.response', id: 'resp_1', status: 'completed', output: [call], usage: null } };
}

test('an output finished while the line was down goes to the new connection once the session says reconnected', async () => {
  let finishTool!: (value: string) => void;
  let toolStarted!: () => void;
  const started = new Promise<void>((resolve) => { toolStarted = resolve; });
  const slow: Tool = {
    source: 'builtin', name: 'slow', description: 'slow', parameters: { type: 'object', properties: {} },
    handler: () => { toolStarted(); return new Promise<string>((resolve) => { finishTool = resolve; }); },
  };
  const first = new MemoryTransport();
  const second = new MemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  const runner = attachTools(session, [slow]);
  try {
    first.serverSays(responseWithCall('call_1'));
    await started;
    first.drop();
    finishTool('sunny');
    // The batch is now parked on the session's `reconnected`; nothing may leak to either line.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(first.sent.filter((event) => event.type !== 'session.update'), []);
    assert.equal(runner.pending, 0, 'the call itself is done');

    session.resume(second, { type: 'realtime' }, []);
    await runner.idle();
    assert.deepEqual(second.sent.map((event) => event.type), ['session.update', 'conversation.item.create', 'response.create']);
    const { id: _kaiwasId, ...item } = second.sent[1]!.item as Record<string, unknown>;
    assert.deepEqual(item, { type: 'function_call_output', call_id: 'call_1', output: 'sunny' });
  } finally {
    runner.detach();
  }
});
