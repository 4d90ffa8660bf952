import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';
import { tempDir } from '../helpers/temp-dir.js';
import { LiveTransport } from '../../src/protocol/live/live-transport.js';
import { RealtimeSession } from '../../src/client/session.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import { closeRecording, recordSession } from '../../src/cli/session-recording.js';
import { runReplay } from '../../src/cli/replay-command.js';
import { silentLogger } from '../../src/logger.js';
import type { ServerEventOf } from '../../src/protocol/events.js';
import { FakeClock } from './recording-helpers.js';


class Text extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const chunk = (): string => Buffer.alloc(4800, 3).toString('base64');
const said = (type: 'input' | 'output', delta: string, at: number): object => ({ type: `session.${type}_transcript.delta`, event_id: `ev_${type}_${at}`, delta, start_ms: at, end_ms: at + 100 });

/** A Live session over an in-memory socket, recorded into a new folder; closing it, the server says `seconds` of session time were used. */
function recordedLiveSession(seconds: number, clock?: FakeClock) {
  const dir = join(tempDir(), 'rec');
  const socket = new InMemoryTransport((event, transport) => {
    if (event.type === 'session.close') {
      transport.deliver({ type: 'session.closed', event_id: 'ev_closed', reason: 'close_requested', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' }, usage: { seconds } });
      void transport.close();
    }
  });
  const session = new RealtimeSession(new LiveTransport(socket), dialectFor('ga'));
  const recorder = recordSession(session, { dir, sampleRate: 24000, model: 'gpt-live-1', secrets: ['sk-never-0000'], protocol: 'live', ...(clock ? { now: clock.now } : {}) }, silentLogger);
  return { dir, socket, session, recorder };
}

test('a Live session recorded as its frames replays as kaiwa heard it: a barge-in\'s local truncation is kept as a note and marks the cut reply', async () => {
  const { dir, socket, session, recorder } = recordedLiveSession(3);
  // What the audio bridge does: the speaker's chunks and the microphone's, to the recorder.
  let speaking: string | undefined;
  session.on('server-event', (event) => {
    if (event.type !== 'response.output_audio.delta') return;
    speaking = event.item_id;
    recorder.assistantAudio(event as ServerEventOf<'response.output_audio.delta'>, Buffer.from(event.delta, 'base64'));
  });
  session.updateSession({ type: 'realtime', model: 'gpt-live-1' });
  const microphone = Buffer.alloc(4800, 1);
  recorder.userAudio(microphone, session.appendAudioEvent(microphone));
  socket.deliver({ type: 'session.started', event_id: 'ev_s', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' } });
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 3; i += 1) socket.deliver({ type: 'session.output_audio.delta', delta: chunk() });
  socket.deliver(said('output', 'Once upon a time', 100));
  // The user talks over it: Live's first fragment; kaiwa stops its voice (BargeIn) and keeps the heard part to itself.
  socket.deliver(said('input', 'Wait,', 400));
  const cut = speaking!;
  session.truncate(cut, 700);
  recorder.interruptAssistant();
  socket.deliver(said('input', ' what now?', 500));
  socket.deliver({ type: 'session.output_audio.delta', delta: chunk() });
  socket.deliver(said('output', 'Now this.', 800));
  await closeRecording(recorder, session);

  const records = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { dir: string; event: { type: string; event?: { type: string; item_id: string; audio_end_ms: number } } });
  const local = records.filter((record) => record.event.type === 'kaiwa.local_event').map((record) => record.event.event);
  assert.deepEqual(local.map((event) => [event?.type, event?.item_id, event?.audio_end_ms]), [['conversation.item.truncate', cut, 700]], 'the truncation Live never heard of, as a note');
  assert.deepEqual(records.filter((record) => record.dir === 'client').map((record) => record.event.type), ['session.start', 'session.input_audio.append', 'session.close']);
  const markdown = readFileSync(join(dir, 'transcript.md'), 'utf8');

  const out = new Text();
  assert.equal(await runReplay(dir, { speed: 1000, audio: false, json: false }, { stdout: out, stderr: new Text() }), 0);
  const lines = out.text.trim().split('\n').slice(1).map((line) => line.replace(/^\[[\d:.]+\] /, ''));
  assert.deepEqual(lines, [
    'Assistant: Once upon a time (interrupted after 0.7 s)', 'You: Wait, what now?', 'Assistant: Now this.',
    // The last reply was still under way when the session closed (no 2 s of silence had ended it): cut off, not a response.
    'Cost: $0.0025 for 3.0 s of session time over 1 response',
  ]);
  for (const words of ['Once upon a time', 'Wait, what now?', 'Now this.']) assert.ok(markdown.includes(words), `transcript.md has "${words}" too`);
});

test('a Live session\'s cost is its session time at the per-minute price: transcript.md and kaiwa replay say so, not "$0.0000 over 0 responses"', async () => {
  const { dir, socket, session, recorder } = recordedLiveSession(6);
  session.updateSession({ type: 'realtime', model: 'gpt-live-1' });
  socket.deliver({ type: 'session.started', event_id: 'ev_s', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' } });
  await new Promise((resolve) => setImmediate(resolve));
  socket.deliver(said('input', 'Hello?', 0));
  socket.deliver(said('output', 'Hello there.', 300));
  // The user speaking ends the reply (else the session's end would cut it off, and it would be no response).
  socket.deliver(said('input', 'Thanks.', 1500));
  socket.deliver({ type: 'session.usage.updated', event_id: 'ev_u', usage: { seconds: 4.5 } });
  await closeRecording(recorder, session);

  // 6 s at $0.05 a minute.
  const markdown = readFileSync(join(dir, 'transcript.md'), 'utf8');
  assert.match(markdown, /^- Cost: \$0\.0050 for 6\.0 s of session time over 1 response$/m);
  const out = new Text();
  assert.equal(await runReplay(dir, { speed: 1000, audio: false, json: false }, { stdout: out, stderr: new Text() }), 0);
  assert.match(out.text, /^Cost: \$0\.0050 for 6\.0 s of session time over 1 response$/m);
});

test('a Live recording cut off by a crash (no session.closed) replays its unfinished last reply as cut off, as the session counted it: transcript.md and kaiwa replay agree', async () => {
  // The recording's clock is the test's: transcript.md is rewritten at each step (≥ 250 ms apart) and the times are known.
  const clock = new FakeClock();
  const { dir, socket, session, recorder } = recordedLiveSession(3, clock);
  session.updateSession({ type: 'realtime', model: 'gpt-live-1' });
  socket.deliver({ type: 'session.started', event_id: 'ev_s', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active' } });
  await new Promise((resolve) => setImmediate(resolve));
  clock.at(300);
  socket.deliver(said('input', 'Hello?', 300));
  clock.at(600);
  socket.deliver({ type: 'session.output_audio.delta', delta: chunk() });
  socket.deliver(said('output', 'Hi there.', 600));
  clock.at(1500);
  // The user speaking ends the first reply: a completed response.
  socket.deliver(said('input', 'Tell me a story.', 1500));
  clock.at(1800);
  socket.deliver({ type: 'session.output_audio.delta', delta: chunk() });
  socket.deliver(said('output', 'Once upon a time', 1800));
  clock.at(2100);
  socket.deliver({ type: 'session.usage.updated', event_id: 'ev_u', usage: { seconds: 2.5 } });
  // The process dies here, 0.3 s into the second reply (its 2 s of silence never came): what a kill leaves behind.
  const crashed = join(tempDir(), 'crashed');
  cpSync(dir, crashed, { recursive: true });
  await closeRecording(recorder, session);

  const events = readFileSync(join(crashed, 'events.jsonl'), 'utf8');
  assert.ok(!events.includes('session.closed') && !events.includes('kaiwa.recording_stopped'), 'the recording simply stops');
  const markdown = readFileSync(join(crashed, 'transcript.md'), 'utf8');
  assert.match(markdown, /Once upon a time/);
  assert.match(markdown, /^- Cost: \$0\.0021 for 2\.5 s of session time over 1 response$/m, 'the session counted only the finished reply');
  const out = new Text();
  assert.equal(await runReplay(crashed, { speed: 1000, audio: false, json: false }, { stdout: out, stderr: new Text() }), 0);
  const lines = out.text.trim().split('\n').slice(1).map((line) => line.replace(/^\[[\d:.]+\] /, ''));
  assert.deepEqual(lines, [
    'You: Hello?', 'Assistant: Hi there.', 'You: Tell me a story.', 'Assistant: Once upon a time',
    'Cost: $0.0021 for 2.5 s of session time over 1 response',
  ]);
});
