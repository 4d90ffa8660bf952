import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startScriptedServer, type ScriptedConnection } from '../helpers/scripted-server.js';
import { betaVoiceTurn, gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { soxConvert, speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { readWavFile } from '../../src/audio/wav.js';
import { downmixToMono, resample } from '../../src/audio/resample.js';

const dir = tempDir();
const servers: Array<{ close(): Promise<void> }> = [];
after(async () => { for (const server of servers) await server.close(); });

function chunksOf(buffer: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return chunks;
}

/** Answers with the scripted turn once the whole input file has arrived. */
async function serverAnsweringAfter(bytes: number, turn: (connection: ScriptedConnection) => object[]) {
  let answered = false;
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (answered || event.type !== 'input_audio_buffer.append' || connection.audio.length < bytes) return;
      answered = true;
      for (const reply of turn(connection)) connection.send(reply);
    },
  });
  servers.push(server);
  return server;
}

const assistantPcm = wavData(speechWav(dir, 'Autumn wind, a little cold, quietly ends.', 24000, 1, 'reply.wav'));
const script = { userTranscript: 'How is the weather?', assistantTranscript: 'Autumn wind, a little cold, quietly ends.' };

for (const protocol of ['ga', 'beta'] as const) {
  test(`--input/--output/--once (${protocol}): input sent byte-exact, output equals the decoded deltas`, async () => {
    const question = speechWav(dir, 'How is the weather today?', 24000, 1, `q-${protocol}.wav`);
    const questionPcm = wavData(question);
    const answer = join(dir, `a-${protocol}.wav`);
    const chunks = chunksOf(assistantPcm, 4800);
    const build = protocol === 'ga' ? gaVoiceTurn : betaVoiceTurn;
    const server = await serverAnsweringAfter(questionPcm.length, () => build({ ...script, audioChunks: chunks }));
    const result = await runKaiwa(['--url', server.url, '--protocol', protocol, '--input', question, '--output', answer, '--once', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-voice-turn-0000' } });
    assert.equal(result.code, 0, result.stderr);
    const sent = server.connections[0]!.audio;
    assert.deepEqual(sent.subarray(0, questionPcm.length), questionPcm, 'file audio sent unchanged');
    assert.ok(sent.subarray(questionPcm.length).every((byte) => byte === 0), 'only silence after the file');
    assert.deepEqual(wavData(answer), assistantPcm);
    assert.match(result.stdout, /^you: How is the weather\?$/m);
    assert.match(result.stdout, /^assistant: Autumn wind, a little cold, quietly ends\.$/m);
    assert.ok(result.stdout.indexOf('you:') < result.stdout.indexOf('assistant:'), 'user line first');
    assert.match(result.stderr, /usage: in 118 \(text 102, audio 16, cached 0\) · out 22 \(text 22, audio 0\)/);
    assert.match(result.stderr, /session ended: .*1 response/);
    if (protocol === 'beta') assert.equal(server.connections[0]!.headers['openai-beta'], 'realtime=v1');
  });
}

test('--audio-format g711-ulaw: μ-law on the wire matches SoX, output decodes like SoX', async () => {
  const question = speechWav(dir, 'Testing mu law audio.', 8000, 1, 'q-ulaw.wav');
  const questionPcm = wavData(question);
  const expectedWire = soxConvert(questionPcm, ['-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1'], ['-t', 'raw', '-e', 'mu-law', '-b', '8']);
  const replyUlaw = soxConvert(assistantPcm, ['-t', 'raw', '-r', '24000', '-e', 'signed', '-b', '16', '-c', '1'], ['-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8']);
  const expectedOutput = soxConvert(replyUlaw, ['-t', 'raw', '-r', '8000', '-e', 'mu-law', '-b', '8', '-c', '1'], ['-t', 'raw', '-e', 'signed', '-b', '16']);
  const answer = join(dir, 'a-ulaw.wav');
  const server = await serverAnsweringAfter(expectedWire.length, () => gaVoiceTurn({ ...script, audioChunks: chunksOf(replyUlaw, 1600) }));
  const result = await runKaiwa(['--url', server.url, '--audio-format', 'g711-ulaw', '--input', question, '--output', answer, '--once', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-ulaw-0000' } });
  assert.equal(result.code, 0, result.stderr);
  const connection = server.connections[0]!;
  const update = connection.received.find((event) => event.type === 'session.update') as unknown as { session: { audio: { input: { format: unknown }; output: { format: unknown } } } };
  assert.deepEqual(update.session.audio.input.format, { type: 'audio/pcmu' });
  assert.deepEqual(update.session.audio.output.format, { type: 'audio/pcmu' });
  assert.deepEqual(connection.audio.subarray(0, expectedWire.length), expectedWire);
  const header = readFileSync(answer);
  assert.equal(header.readUInt32LE(24), 8000, 'output WAV at the session rate');
  assert.deepEqual(wavData(answer), expectedOutput);
});

test('a 48 kHz stereo WAV is converted to 24 kHz mono (downmixed, resampled) before sending', async () => {
  const question = speechWav(dir, 'Stereo input file.', 48000, 2, 'q-stereo.wav');
  const parsed = readWavFile(question);
  const expected = Buffer.from(resample(downmixToMono(parsed.samples, 2), 48000, 24000).buffer);
  const frames = wavData(question).length / 4;
  assert.ok(Math.abs(expected.length / 2 - frames / 2) <= 2, 'half as many samples');
  const server = await serverAnsweringAfter(expected.length, () => gaVoiceTurn({ ...script, audioChunks: [assistantPcm.subarray(0, 4800)] }));
  const result = await runKaiwa(['--url', server.url, '--input', question, '--once', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-stereo-0000' } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(server.connections[0]!.audio.subarray(0, expected.length), expected);
});
