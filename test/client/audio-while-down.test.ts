/** What the status bar says while the connection is down ("what you say now is not heard", "what you type waits to be sent") is what the session does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';

test('audio captured while the connection is down is dropped, not sent late on the next one; a line typed then is sent there', async () => {
  const first = new InMemoryTransport();
  const session = new RealtimeSession(first, gaDialect);
  await first.close(1011, 'gone');
  assert.equal(session.appendAudio(Buffer.alloc(4800)), false, 'not sent');
  assert.equal(session.droppedAudioChunks, 0, 'nor counted as a backed-up socket\'s');
  session.sendText('typed while down');
  const second = new InMemoryTransport();
  session.resume(second, { type: 'realtime' }, []);
  assert.deepEqual(second.received.filter((event) => event.type === 'input_audio_buffer.append'), []);
  const lines = second.received.filter((event) => event.type === 'conversation.item.create').map((event) => JSON.stringify(event.item));
  assert.ok(lines.some((line) => line.includes('typed while down')), lines.join('\n'));
});
