import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startScriptedServer, type ScriptedConnection, type ScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { encodeWav } from '../../src/audio/wav.js';

/**
 * The input ends (the file is played, stdin is closed) while the server still owes the answer
 * to the last turn its VAD closed: kaiwa waits for that answer and exits once it is done, not
 * with the answers so far. The server is a script whose steps wait for the audio kaiwa has sent
 * and, for the late answer, for kaiwa to say (--debug) that its input is over and it waits.
 */
const dir = tempDir();
const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });

const RATE = 24000;
const BYTES_PER_MS = (RATE * 2) / 1000;
const FILE_MS = 1000;
/** The silence kaiwa sends after a file before it stops listening for more (FileEndPadding's MAX_PADDING_MS). */
const PADDING_MS = 3000;
const WAITING = /the input has ended; waiting for the answer to the last turn/;

/** A second of quiet tone: what it says is the scripted server's to decide. */
function inputWav(): string {
  const samples = new Int16Array((RATE * FILE_MS) / 1000).map((_, index) => Math.round(2000 * Math.sin((2 * Math.PI * 220 * index) / RATE)));
  const path = join(dir, 'two-turns.wav');
  writeFileSync(path, encodeWav(samples, RATE, 1));
  return path;
}

type WireEvent = { type: string; response?: { id: string } };

/** A voice turn, split where what the server heard ends and its answer begins. */
function turn(userTranscript: string, assistantTranscript: string) {
  const events = gaVoiceTurn({ userTranscript, assistantTranscript, audioChunks: [] }) as WireEvent[];
  const start = events.findIndex((event) => event.type === 'response.created');
  return { heard: events.slice(0, start), answer: events.slice(start), responseId: events[start]!.response!.id };
}

/**
 * Steps sent once kaiwa has sent this much audio (ms), in order; `late` once kaiwa says it
 * waits for the last answer (never, if kaiwa ends without waiting).
 */
async function run(steps: Array<{ atMs: number; events: object[] }>, late: object[]) {
  let next = 0;
  const server = await startScriptedServer({
    onEvent: (connection: ScriptedConnection, event) => {
      if (event.type !== 'input_audio_buffer.append') return;
      while (next < steps.length && connection.audio.length >= steps[next]!.atMs * BYTES_PER_MS) {
        for (const reply of steps[next]!.events) connection.send(reply);
        next += 1;
      }
    },
  });
  servers.push(server);
  let lateSent = false;
  const result = await runKaiwa(['--url', server.url, '--input', inputWav(), '--no-speaker', '--debug'], {
    env: { OPENAI_API_KEY: 'sk-test-owed-answer-0000' }, timeoutMs: 30_000,
    onSpawn: (child, output) => child.stderr.on('data', () => {
      if (lateSent || !WAITING.test(output.stderr())) return;
      lateSent = true;
      for (const reply of late) server.connections[0]!.send(reply);
    }),
  });
  return { ...result, lateSent };
}

test('the input ends while the server has closed the last turn but not begun its answer: kaiwa waits for it, then exits 0', async () => {
  const first = turn('First question?', 'First answer.');
  const second = turn('Second question?', 'Second answer.');
  const result = await run([
    { atMs: FILE_MS / 2, events: [...first.heard, ...first.answer] },
    { atMs: FILE_MS, events: second.heard },
  ], second.answer);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(result.lateSent, `kaiwa ended without waiting for the last answer:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^assistant: First answer\.$/m);
  assert.match(result.stdout, /^assistant: Second answer\.$/m, result.stdout);
  assert.match(result.stderr, /2 turns · 2 responses/);
});

test('the input ends while the answer under way is cut off by the last turn: kaiwa waits for the answer to that turn, not only for the cut-off one', async () => {
  const first = turn('First question?', 'First answer.');
  const second = turn('Second question?', 'Second answer.');
  const closing = new Set(['response.output_audio_transcript.done', 'response.content_part.done', 'response.output_item.done', 'conversation.item.done', 'response.done']);
  const cancelled = {
    type: 'response.done', event_id: 'event_cut_off',
    response: { object: 'realtime.response', id: first.responseId, status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' }, output: [], output_modalities: ['audio'], usage: null },
  };
  const result = await run([
    { atMs: FILE_MS / 2, events: [...first.heard, ...first.answer.filter((event) => !closing.has(event.type))] },
    { atMs: FILE_MS, events: second.heard },
    // The cut-off answer ends late (a loaded server): as kaiwa's silence after the file runs out.
    { atMs: FILE_MS + PADDING_MS, events: [cancelled] },
  ], second.answer);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(result.lateSent, `kaiwa ended without waiting for the last answer:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^assistant: Second answer\.$/m, result.stdout);
  assert.match(result.stderr, /2 turns · 2 responses/);
});
