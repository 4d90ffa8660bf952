import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AudioBridge } from '../../src/client/audio-bridge.js';
import { RealtimeSession } from '../../src/client/session.js';
import { wireCodecFor } from '../../src/client/wire-codec.js';
import { decodeUlaw } from '../../src/audio/g711.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';
import type { AudioSink, AudioSource } from '../../src/audio/devices.js';
import type { ClientEventOf, ServerEventOf } from '../../src/protocol/events.js';

class MemoryTransport extends EventEmitter implements ListeningTransport {
  sent: Array<Record<string, unknown>> = [];
  bufferedAmount = 0;
  isOpen = true;
  send(text: string): void { this.sent.push(JSON.parse(text) as Record<string, unknown>); }
  async close(): Promise<void> { this.isOpen = false; }
  receive(event: object): void { this.emit('message', JSON.stringify(event)); }
}

class MemorySource extends EventEmitter implements AudioSource {
  readonly format = { sampleRate: 8000 };
  start(): void {}
  async stop(): Promise<void> {}
}

class MemorySink extends EventEmitter implements AudioSink {
  readonly format = { sampleRate: 8000 };
  written: Buffer[] = [];
  write(pcm: Buffer): void { this.written.push(pcm); }
  clear(): void {}
  async close(): Promise<void> {}
}

type Sent = { pcm: Buffer; event: ClientEventOf<'input_audio_buffer.append'> | undefined };
type Played = { delta: ServerEventOf<'response.output_audio.delta'>; pcm: Buffer | undefined };

function g711Bridge(): { transport: MemoryTransport; source: MemorySource; sink: MemorySink; bridge: AudioBridge; sent: Sent[]; played: Played[] } {
  const transport = new MemoryTransport();
  const session = new RealtimeSession(transport, gaDialect, { maxBufferedBytes: 1000 });
  const source = new MemorySource();
  const sink = new MemorySink();
  const sent: Sent[] = [];
  const played: Played[] = [];
  const bridge = new AudioBridge({
    session, codec: wireCodecFor('g711-ulaw'), source, sinks: [sink], minAppendMs: 20,
    onSent: (pcm, event) => sent.push({ pcm, event }),
    onAssistantAudio: (delta, pcm) => played.push({ delta, pcm }),
  });
  return { transport, source, sink, bridge, sent, played };
}

const delta = (eventId: string, itemId: string, wire: Buffer) => ({
  type: 'response.output_audio.delta', event_id: eventId, response_id: 'r', item_id: itemId, output_index: 0, content_index: 0, delta: wire.toString('base64'),
});

test('each chunk sent is handed over once with the append that carried it, or none when the socket dropped it', () => {
  const { transport, source, sent } = g711Bridge();
  const pcm = Buffer.alloc(320, 0x20); // 20 ms at 8 kHz
  source.emit('data', pcm);
  assert.equal(transport.sent.length, 1);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.pcm, pcm, 'the PCM as captured, not the μ-law on the wire');
  assert.deepEqual(sent[0]!.event, transport.sent[0], 'the very event that went out, with its id');
  transport.bufferedAmount = 5000;
  source.emit('data', pcm);
  assert.equal(transport.sent.length, 1);
  assert.deepEqual(sent.map((chunk) => chunk.event === undefined), [false, true]);
});

test('each delta is handed over once with the PCM the sinks got, and without PCM once its item is interrupted', () => {
  const { transport, sink, bridge, played } = g711Bridge();
  const wire = Buffer.alloc(160, 0x55);
  transport.receive(delta('d1', 'a', wire));
  bridge.interrupt('a');
  transport.receive(delta('d2', 'a', wire));
  assert.deepEqual(played.map(({ delta: event, pcm }) => [event.event_id, pcm]), [['d1', decodeUlaw(wire)], ['d2', undefined]]);
  assert.deepEqual(sink.written, [decodeUlaw(wire)]);
});

test('audio held while the session was not ready (late) is sent in order without the echo filter; live audio goes through it', () => {
  const transport = new MemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const source = new MemorySource();
  const filtered: number[] = [];
  new AudioBridge({
    session, codec: wireCodecFor('pcm16'), source, sinks: [], minAppendMs: 10,
    filterCaptured: (pcm) => { filtered.push(pcm[0]!); return pcm; },
  });
  source.emit('data', Buffer.alloc(160, 1), true);
  source.emit('data', Buffer.alloc(160, 2), true);
  source.emit('data', Buffer.alloc(160, 3));
  assert.deepEqual(filtered, [3]);
  const appended = transport.sent.filter((event) => event.type === 'input_audio_buffer.append').map((event) => Buffer.from(String(event.audio), 'base64')[0]);
  assert.deepEqual(appended, [1, 2, 3]);
});

test('the first append goes with the first chunk however short; after it, appends gather the minimum', () => {
  const { transport, source } = g711Bridge(); // 20 ms minimum: 320 bytes at 8 kHz
  const appendedBytes = () => transport.sent.filter((event) => event.type === 'input_audio_buffer.append').map((event) => Buffer.from(String(event.audio), 'base64').length);
  source.emit('data', Buffer.alloc(160, 0x20), true); // 10 ms held while connecting: not held back for a second chunk
  assert.deepEqual(appendedBytes(), [80]);
  source.emit('data', Buffer.alloc(160, 0x20));
  assert.deepEqual(appendedBytes(), [80], 'a 10 ms chunk after the first went alone');
  source.emit('data', Buffer.alloc(160, 0x20));
  assert.deepEqual(appendedBytes(), [80, 160]);
});

test('a chunk the gate keeps out is not the first append: the first that passes is', () => {
  const transport = new MemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const source = new MemorySource();
  let open = false;
  new AudioBridge({ session, codec: wireCodecFor('pcm16'), source, sinks: [], minAppendMs: 20, gate: () => open });
  source.emit('data', Buffer.alloc(160, 1));
  open = true;
  source.emit('data', Buffer.alloc(160, 2));
  const appended = transport.sent.filter((event) => event.type === 'input_audio_buffer.append').map((event) => [...Buffer.from(String(event.audio), 'base64')]);
  assert.equal(appended.length, 1);
  assert.ok(appended[0]!.every((byte) => byte === 2));
});

/** 85 ms at 8 kHz, as SoX hands kaiwa its microphone (zeros: quiet; a tone at -20 dBFS: sounds). */
const QUIET = Buffer.alloc(1360);
const SOUNDING = (() => {
  const pcm = Buffer.alloc(1360);
  for (let i = 0; i < 680; i++) pcm.writeInt16LE(Math.round(3277 * Math.sin(i / 3)), 2 * i);
  return pcm;
})();

function quietBridge(quietAppendMs?: number): { transport: MemoryTransport; source: MemorySource; bridge: AudioBridge; appendedMs: () => number[] } {
  const transport = new MemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const source = new MemorySource();
  const bridge = new AudioBridge({ session, codec: wireCodecFor('pcm16'), source, sinks: [], ...(quietAppendMs === undefined ? {} : { quietAppendMs }) });
  const appendedMs = () => transport.sent.filter((event) => event.type === 'input_audio_buffer.append')
    .map((event) => Buffer.from(String(event.audio), 'base64').length / 16);
  return { transport, source, bridge, appendedMs };
}

const serverSpeech = (type: string) => ({ type, event_id: `e_${type}`, item_id: 'item_1', audio_start_ms: 0, audio_end_ms: 100 });

test('after a second of quiet, quiet chunks go out six at a time (510 ms); the first that sounds goes at once with those that waited', () => {
  const { source, appendedMs } = quietBridge();
  for (let i = 0; i < 26; i++) source.emit('data', QUIET);
  // 85 ms each until the microphone has been quiet for a second (12 chunks), then 510; the last three wait.
  assert.deepEqual(appendedMs(), [...Array(11).fill(85), 510, 510]);
  source.emit('data', SOUNDING);
  assert.deepEqual(appendedMs().slice(13), [340], 'the sounding chunk went at once, after the three that waited');
  source.emit('data', QUIET);
  assert.deepEqual(appendedMs().slice(14), [85], 'right after sound nothing waits');
});

test('no quiet chunk waits while the server hears speech, until it stopped', () => {
  const { transport, source, appendedMs } = quietBridge();
  for (let i = 0; i < 14; i++) source.emit('data', QUIET);
  transport.receive(serverSpeech('input_audio_buffer.speech_started'));
  for (let i = 0; i < 4; i++) source.emit('data', QUIET);
  assert.deepEqual(appendedMs().slice(-4), [340, 85, 85, 85], 'the ones that waited went with the next');
  transport.receive(serverSpeech('input_audio_buffer.speech_stopped'));
  for (let i = 0; i < 12; i++) source.emit('data', QUIET);
  assert.deepEqual(appendedMs().slice(-2), [510, 510]);
});

test('a quiet chunk that waits goes out when the capture is flushed (a commit), and never with quietAppendMs 0', () => {
  const { source, bridge, appendedMs } = quietBridge();
  for (let i = 0; i < 14; i++) source.emit('data', QUIET);
  const before = appendedMs().length;
  bridge.flushCapture();
  assert.deepEqual(appendedMs().slice(before), [255], 'the three that waited');
  const never = quietBridge(0);
  for (let i = 0; i < 20; i++) never.source.emit('data', QUIET);
  assert.deepEqual(never.appendedMs(), Array(20).fill(85));
});
