import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import { SessionRecorder } from '../../src/recording/session-recorder.js';
import { UsageError } from '../../src/errors.js';
import { decodeUlaw } from '../../src/audio/g711.js';
import type { ServerEventOf } from '../../src/protocol/events.js';
import type { AudioPlaceholder, EventRecord } from '../../src/recording/recording-files.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { assertNear, audibleSpans, readEvents, readWav, RATE } from './recording-helpers.js';
import { OTHER_SECRET, recordSyntheticSession, SECRET } from './synthetic-session.js';

/** An assistant audio delta of item `itemId` carrying `wire` (as the server sent it). */
function delta(itemId: string, wire: Buffer, eventId = 'd'): ServerEventOf<'response.output_audio.delta'> {
  return { type: 'response.output_audio.delta', event_id: eventId, response_id: 'r', item_id: itemId, output_index: 0, content_index: 0, delta: wire.toString('base64') };
}

function placeholders(records: EventRecord[], type: string, field: string): Array<{ t: number; audio: AudioPlaceholder }> {
  return records.filter((r) => r.event.type === type).map((r) => ({ t: r.t, audio: r.event[field] as AudioPlaceholder }));
}

describe('SessionRecorder on a scripted session', () => {
  const dir = join(audioTempDir('kaiwa-rec-'), 'session');
  let records: EventRecord[];

  before(async () => {
    await recordSyntheticSession(dir);
    records = readEvents(dir);
  });

  it('writes the three files and nothing else', () => {
    assert.deepEqual(readdirSync(dir).sort(), ['conversation.wav', 'events.jsonl', 'transcript.md']);
  });

  it('makes the folder it records into the user\'s alone (0700): it holds their voice', () => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('writes a stereo WAV at the session rate, as long as the recording', () => {
    const wav = readWav(dir);
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, RATE);
    assert.equal(wav.samples.length / 2, 3.5 * RATE);
  });

  it('puts the user on the left where the append events say, 0–1 s', () => {
    const spans = audibleSpans(readWav(dir), 0);
    assert.equal(spans.length, 1, JSON.stringify(spans));
    const appends = placeholders(records, 'input_audio_buffer.append', 'audio');
    assert.equal(appends.length, 10);
    assertNear(spans[0]![0], appends[0]!.audio.wavOffsetMs!, 50, 'user speech starts where the first append says');
    assertNear(spans[0]![1], appends[9]!.audio.wavOffsetMs! + 100, 50, 'user speech ends where the last append ends');
    assertNear(spans[0]![0], 0, 50, 'user speech starts at 0 s');
    assertNear(spans[0]![1], 1000, 50, 'user speech ends at 1 s');
    // Each chunk began 100 ms before it was sent.
    for (const { t, audio } of appends) assertNear(audio.wavOffsetMs!, t - 100, 50, 'append placed when captured');
    assert.ok(appends.every(({ audio }) => audio.bytes === 4800));
  });

  it('puts the assistant on the right as a player plays it, cut where the user barged in', () => {
    const spans = audibleSpans(readWav(dir), 1);
    assert.equal(spans.length, 1, JSON.stringify(spans));
    const deltas = placeholders(records, 'response.output_audio.delta', 'delta');
    assertNear(spans[0]![0], deltas[0]!.audio.wavOffsetMs!, 50, 'answer starts where its first delta says');
    assertNear(spans[0]![0], 1500, 50, 'answer starts when it arrived');
    // 15 chunks arrived at once; a player queues them back to back.
    deltas.slice(0, 15).forEach(({ audio }, i) => assertNear(audio.wavOffsetMs!, 1500 + i * 100, 1, `delta ${i}`));
    const interruption = records.find((r) => r.event.type === 'kaiwa.assistant_interrupted')!;
    assert.deepEqual(interruption.event.item_ids, ['item_a1']);
    assertNear(spans[0]![1], interruption.t, 50, 'answer stops at the interruption');
    assertNear(spans[0]![1], 2500, 50, 'answer stops at 2.5 s');
    assert.equal(deltas[15]!.audio.wavOffsetMs, null, 'a delta after the interruption is not in the WAV');
  });

  it('writes every event as one JSON line with t and direction, audio replaced by size and place', () => {
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, records.length);
    assert.equal(records[0]!.event.type, 'kaiwa.recording_started');
    assert.equal(records[0]!.event.sample_rate, RATE);
    for (const record of records) {
      assert.ok(Number.isInteger(record.t) && record.t >= 0);
      assert.ok(['client', 'server', 'meta'].includes(record.dir));
    }
    const ts = records.map((r) => r.t);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'in time order');
    assert.equal(records.filter((r) => r.dir === 'client').length, 13);
    assert.ok(!/"(audio|delta)":"[A-Za-z0-9+/]{100,}/.test(text), 'no base64 audio left');
  });

  it('writes a transcript with times, speakers, the interruption, tool calls and per-turn cost', () => {
    const md = readFileSync(join(dir, 'transcript.md'), 'utf8');
    assert.match(md, /^# kaiwa conversation\n/);
    assert.match(md, /- Model: gpt-realtime\n/);
    const you = md.indexOf('**[00:00.2] You:** What is the weather in Paris?');
    const assistant = md.indexOf('**[00:01.5] Assistant:** Hello! How can I help you today? (interrupted after 1.0 s)');
    assert.ok(you >= 0 && assistant > you, md);
    // text 100×4 + audio 200×32 + out text 20×16 + out audio 300×64 = 26320 µ$ → $0.0263
    assert.match(md, /_\[00:02\.6\] Tokens: in 300 \(text 100, audio 200, cached 0\) · out 320 \(text 20, audio 300\) · \$0\.0263_/);
    assert.match(md, /- Cost: \$0\.0263 over 1 response\n/);
    assert.match(md, /\*\*\[00:03\.0\] Tool call:\*\* `get_weather\(\{"city":"Paris"\}\)`/);
    assert.match(md, /\*\*\[00:03\.1\] Tool result \(get_weather\):\*\* \{"temp_c":21,"token":"\[redacted\]"\}/);
    assert.match(md, /\*\*\[00:03\.2\] Error:\*\* Incorrect API key provided: \[redacted\] \(bad_key\)/);
  });

  it('leaves no registered secret in any file', () => {
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name));
      for (const secret of [SECRET, OTHER_SECRET]) assert.equal(bytes.includes(secret), false, `${secret} in ${name}`);
    }
    assert.match(readFileSync(join(dir, 'events.jsonl'), 'utf8'), /Never reveal \[redacted\]\./);
  });
});

describe('SessionRecorder edge cases', () => {
  it('refuses a directory that already holds a recording', async () => {
    const dir = audioTempDir('kaiwa-rec-');
    const first = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [] });
    await first.close();
    assert.throws(() => new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [] }), UsageError);
  });

  it('queues a second answer after the first, and starts one that arrives in silence at once', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'queue');
    let ms = 0;
    const recorder = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [], now: () => ms });
    const chunk = (n: number): Buffer => Buffer.alloc(n * 48, 0x10); // n ms of a constant non-zero level
    ms = 100;
    recorder.assistantAudio(delta('a', chunk(500)), chunk(500)); // plays 100–600
    ms = 200;
    recorder.assistantAudio(delta('b', chunk(300)), chunk(300)); // queued after a: 600–900
    ms = 2000;
    recorder.assistantAudio(delta('c', chunk(100)), chunk(100)); // silence before: starts at once, 2000–2100
    ms = 2200;
    await recorder.close();
    const spans = audibleSpans(readWav(dir), 1);
    assert.deepEqual(spans.map(([a, b]) => [Math.round(a), Math.round(b)]), [[100, 900], [2000, 2100]]);
  });

  it('deletes an unheard item from the WAV when the client deletes it', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'delete');
    let ms = 0;
    const recorder = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [], now: () => ms });
    const second = Buffer.alloc(48 * 1000, 0x10);
    recorder.assistantAudio(delta('a', second), second);
    recorder.clientEvent({ type: 'conversation.item.delete', item_id: 'a' });
    ms = 1200;
    await recorder.close();
    assert.deepEqual(audibleSpans(readWav(dir), 1), []);
  });

  it('measures G.711 chunks by their decoded PCM at 8 kHz, not by their wire bytes', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'g711');
    let ms = 0;
    // A G.711 session is recorded at its own rate, 8 kHz.
    const recorder = new SessionRecorder(dir, { sampleRate: 8000, model: 'm', secrets: [], now: () => ms });
    recorder.serverEvent({ type: 'session.created', event_id: 'e', session: { type: 'realtime', audio: { output: { format: { type: 'audio/pcmu' } } } } } as never);
    ms = 100;
    // 800 bytes of μ-law = 100 ms; the next chunk of the item is queued right after it.
    const ulaw = Buffer.alloc(800);
    recorder.assistantAudio(delta('a', ulaw, '1'), decodeUlaw(ulaw));
    recorder.assistantAudio(delta('a', ulaw, '2'), decodeUlaw(ulaw));
    await recorder.close();
    const placed = readEvents(dir).filter((r) => r.event.type === 'response.output_audio.delta').map((r) => r.event.delta as AudioPlaceholder);
    assert.deepEqual(placed.map((audio) => audio.wavOffsetMs), [100, 200]);
    assert.deepEqual(placed.map((audio) => audio.bytes), [800, 800], 'the log keeps the size sent on the wire');
  });

  it('writes each audio chunk once, even when a feeder also forwards the events that carried it', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'once');
    let ms = 0;
    const recorder = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [], now: () => ms });
    const chunk = Buffer.alloc(48 * 100, 0x10);
    const append = { type: 'input_audio_buffer.append', event_id: 'evt_1', audio: chunk.toString('base64') } as const;
    ms = 100;
    recorder.clientEvent(append);
    recorder.userAudio(chunk, append);
    ms = 300;
    recorder.serverEvent(delta('a', chunk));
    recorder.assistantAudio(delta('a', chunk), chunk);
    ms = 500;
    await recorder.close();
    const audio = readEvents(dir).filter((r) => r.event.type === 'input_audio_buffer.append' || r.event.type === 'response.output_audio.delta');
    assert.deepEqual(audio.map((r) => [r.dir, r.event.event_id, (r.event.audio ?? r.event.delta) as AudioPlaceholder]), [
      ['client', 'evt_1', { bytes: 4800, wavOffsetMs: 0 }],
      ['server', 'd', { bytes: 4800, wavOffsetMs: 300 }],
    ]);
    assert.deepEqual(audibleSpans(readWav(dir), 0), [[0, 100]]);
    assert.deepEqual(audibleSpans(readWav(dir), 1), [[300, 400]]);
  });

  it('keeps what the user said though the network dropped it, and leaves out what the player dropped', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'dropped');
    let ms = 0;
    const recorder = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [], now: () => ms });
    const chunk = Buffer.alloc(48 * 100, 0x10);
    ms = 200;
    recorder.userAudio(chunk, undefined);
    recorder.assistantAudio(delta('a', chunk), undefined);
    ms = 500;
    await recorder.close();
    const records = readEvents(dir);
    assert.equal(records.filter((r) => r.event.type === 'input_audio_buffer.append').length, 0, 'nothing was sent');
    assert.deepEqual(placeholders(records, 'response.output_audio.delta', 'delta').map((p) => p.audio), [{ bytes: 4800, wavOffsetMs: null }]);
    assert.deepEqual(audibleSpans(readWav(dir), 0), [[100, 200]]);
    assert.deepEqual(audibleSpans(readWav(dir), 1), []);
  });

  it('reports a failure once and lets the conversation go on', async () => {
    const dir = join(audioTempDir('kaiwa-rec-'), 'fail');
    const errors: Error[] = [];
    let ms = 0;
    const recorder = new SessionRecorder(dir, { sampleRate: RATE, model: 'm', secrets: [], now: () => ms, onError: (e) => errors.push(e) });
    // Simulates the disk going away under the writer.
    (recorder as unknown as { events: { write(): void } }).events.write = () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); };
    ms = 10;
    recorder.serverEvent({ type: 'session.created', event_id: 'e', session: { type: 'realtime' } } as never);
    recorder.serverEvent({ type: 'session.created', event_id: 'e', session: { type: 'realtime' } } as never);
    await recorder.close();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /recording to .* stopped: no space left on the device/);
  });
});
