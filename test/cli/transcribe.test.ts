/**
 * `kaiwa transcribe` against a scripted transcription peer written from the SDK's types
 * (openai 7.57: RealtimeTranscriptionSessionCreateRequest, the transcription intent and
 * the `…input_audio_transcription.*` events). The peer plays the service's part: it runs
 * its own "VAD" on the audio, streams deltas that do not add up to the final transcript,
 * and answers an empty final commit with input_audio_buffer_commit_empty.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAIWA_BIN, cleanEnv, runKaiwa } from '../helpers/cli-runner.js';
import { TmuxSession } from '../helpers/tmux.js';
import { startScriptedServer, type ScriptedConnection, type WireJson } from '../helpers/scripted-server.js';

type Json = Record<string, unknown>;

/** What the SDK's transcription session request allows (RealtimeTranscriptionSessionCreateRequest). */
const ALLOWED: Record<string, readonly string[]> = {
  session: ['type', 'audio', 'include'],
  'session.audio': ['input'],
  'session.audio.input': ['format', 'noise_reduction', 'transcription', 'turn_detection'],
  'session.audio.input.transcription': ['delay', 'keywords', 'language', 'languages', 'model', 'prompt'],
};

function violations(session: unknown): string[] {
  const found: string[] = [];
  const check = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (!ALLOWED[path]!.includes(key)) found.push(`${path}.${key}`);
      else if (ALLOWED[`${path}.${key}`]) check(child, `${path}.${key}`);
    }
  };
  check(session, 'session');
  if ((session as Json | undefined)?.type !== 'transcription') found.push('session.type is not "transcription"');
  return found;
}

const dir = mkdtempSync(join(tmpdir(), 'kaiwa-transcribe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real WAV file made by SoX: a second of tone (the peer's "speech") and a little quiet. */
function toneWav(name: string, seconds = 1): string {
  const path = join(dir, name);
  execFileSync('sox', ['-n', '-r', '24000', '-c', '1', '-b', '16', path, 'synth', String(seconds), 'sine', '440', 'pad', '0', '0.3']);
  return path;
}

interface PeerScript {
  /** The peer's VAD closes a turn once this much audio has arrived (ms), or never. */
  vadTurnAfterMs?: number;
  /** Audio left at the final commit becomes a turn instead of the empty-commit error. */
  finalCommitHasAudio?: boolean;
  /** The first turn's completed transcript waits for this (default: kaiwa's next event, as a late transcript does). */
  completedAfter?: Promise<unknown>;
  /** The first connection is closed by the server (1012, a restart) once this much audio arrived on it (ms). */
  dropAfterMs?: number;
}

/** The service's part, one connection at a time. */
function transcriptionPeer(script: PeerScript) {
  let items = 0;
  let dropped = false;
  /** Transcripts that arrive late: released by the client's next event on the connection. */
  let late: Array<() => void> = [];
  const turn = (connection: ScriptedConnection, byVad: boolean, transcript: string): void => {
    const itemId = `item_${++items}`;
    if (byVad) {
      connection.send({ type: 'input_audio_buffer.speech_started', event_id: `e_s${items}`, item_id: itemId, audio_start_ms: 0 });
      connection.send({ type: 'input_audio_buffer.speech_stopped', event_id: `e_t${items}`, item_id: itemId, audio_end_ms: 700 });
    }
    connection.send({ type: 'input_audio_buffer.committed', event_id: `e_c${items}`, item_id: itemId, previous_item_id: null });
    connection.send({ type: 'conversation.item.added', event_id: `e_a${items}`, previous_item_id: null, item: { id: itemId, type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: null }] } });
    // Deltas are a preview: these do not add up to the transcript, which is what counts.
    for (const delta of ['helo', ' wrld']) {
      connection.send({ type: 'conversation.item.input_audio_transcription.delta', event_id: `e_d${items}${delta}`, item_id: itemId, content_index: 0, delta });
    }
    // A VAD turn's transcript comes after more audio has arrived; a commit's, on a later turn of the loop.
    const ready = (byVad && script.completedAfter)
      || new Promise((resolve) => (byVad ? late.push(() => resolve(undefined)) : setImmediate(resolve)));
    void ready.then(() => connection.send({
      type: 'conversation.item.input_audio_transcription.completed', event_id: `e_f${items}`, item_id: itemId, content_index: 0,
      transcript, usage: { type: 'duration', seconds: 6 },
    }));
  };
  return {
    onConnection(connection: ScriptedConnection): void {
      connection.send({ type: 'session.created', event_id: 'e_created', session: { type: 'transcription', object: 'realtime.transcription_session', id: 'sess_1', audio: { input: { transcription: null, turn_detection: { type: 'server_vad' } } }, include: null } });
    },
    onEvent(connection: ScriptedConnection, event: WireJson): void {
      // Transcripts pending from before this event arrive now, after it (a turn it closes waits for the next one).
      const released = late;
      late = [];
      respond(connection, event);
      for (const release of released) release();
    },
  };

  function respond(connection: ScriptedConnection, event: WireJson): void {
    if (event.type === 'session.update') {
      const model = (((event.session as Json).audio as Json | undefined)?.input as Json | undefined)?.transcription as Json | undefined;
      if (model?.model === 'no-such-transcribe') {
        connection.send({ type: 'error', event_id: 'e_model', error: { type: 'invalid_request_error', code: 'invalid_value', message: "Invalid value: 'no-such-transcribe'.", param: 'session.audio.input.transcription.model', event_id: event.event_id } });
        return;
      }
      const problems = violations(event.session);
      if (problems.length) {
        connection.send({ type: 'error', event_id: 'e_err', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: problems.join(', '), param: null, event_id: event.event_id } });
        return;
      }
      connection.send({ type: 'session.updated', event_id: 'e_updated', session: event.session });
    }
    if (event.type === 'input_audio_buffer.append' && script.vadTurnAfterMs !== undefined && items === 0
      && connection.audio.length >= script.vadTurnAfterMs * 48) {
      turn(connection, true, 'Hello, world.');
    }
    if (event.type === 'input_audio_buffer.append' && script.dropAfterMs !== undefined && !dropped && connection.audio.length >= script.dropAfterMs * 48) {
      dropped = true;
      connection.close(1012);
    }
    if (event.type === 'input_audio_buffer.commit') {
      if (script.finalCommitHasAudio) return turn(connection, false, 'The last words.');
      connection.send({ type: 'error', event_id: 'e_empty', error: { type: 'invalid_request_error', code: 'input_audio_buffer_commit_empty', message: 'Error committing input audio buffer: buffer too small.', param: null, event_id: event.event_id } });
    }
  }
}

async function transcribe(script: PeerScript, args: string[]) {
  const server = await startScriptedServer(transcriptionPeer(script));
  after(() => server.close());
  const result = await runKaiwa(['transcribe', '--url', server.url, ...args], { env: { OPENAI_API_KEY: 'sk-test-transcribe-1234' }, timeoutMs: 20_000 });
  return { result, connection: server.connections[0]! };
}

test('connects with ?intent=transcription and no model, sends only what a transcription session takes, prints the completed line', async () => {
  const { result, connection } = await transcribe({ vadTurnAfterMs: 300 }, ['--input', toneWav('one.wav'), '--language', 'en', '--silence-ms', '400']);
  assert.equal(result.code, 0, result.stderr);
  const url = new URL(connection.url, 'ws://localhost');
  assert.equal(url.pathname, '/v1/realtime');
  assert.equal(url.searchParams.get('intent'), 'transcription');
  assert.equal(url.searchParams.has('model'), false);
  assert.equal(connection.headers.authorization, 'Bearer sk-test-transcribe-1234');
  const update = connection.received.find((event) => event.type === 'session.update')!;
  assert.deepEqual(violations(update.session), []);
  assert.deepEqual(update.session, {
    type: 'transcription',
    audio: { input: { transcription: { model: 'gpt-live-transcribe', language: 'en' }, turn_detection: { type: 'server_vad', silence_duration_ms: 400 } } },
  });
  // On a pipe the captions are the final lines only: no deltas, nothing else.
  assert.equal(result.stdout, 'Hello, world.\n');
  // The empty final commit was expected: no error shown, exit 0, and the commit was the last thing sent.
  assert.doesNotMatch(result.stderr, /error/i);
  assert.equal(connection.received.filter((event) => event.type === 'input_audio_buffer.commit').length, 1);
  assert.ok(connection.received.some((event) => event.type === 'input_audio_buffer.append'));
  assert.ok(!connection.received.some((event) => String(event.type).startsWith('response.')), 'never asks for a response');
  // 6 s billed at gpt-live-transcribe's $0.017 a minute.
  assert.match(result.stderr, /transcribed 1 line from 1 s of audio · \$0\.0017 \(\$0\.\d+ per minute of audio\)/);
});

test('at the end of the file the last turn is committed and its transcript waited for; --output-text has every line', async () => {
  const text = join(dir, 'captions.txt');
  const { result } = await transcribe({ vadTurnAfterMs: 300, finalCommitHasAudio: true }, ['--input', toneWav('two.wav'), '--output-text', text, '--transcribe', 'some-new-transcribe']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Hello, world.\nThe last words.\n');
  assert.equal(readFileSync(text, 'utf8'), 'Hello, world.\nThe last words.\n');
  assert.match(result.stderr, /cost unknown \(no published price for some-new-transcribe/);
});

test('--json prints every server event as one JSON line and no captions', async () => {
  const { result } = await transcribe({ vadTurnAfterMs: 300 }, ['--input', toneWav('three.wav'), '--json']);
  assert.equal(result.code, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Json);
  const kinds = events.map((event) => event.type);
  assert.equal(kinds[0], 'session.created');
  assert.ok(kinds.includes('conversation.item.input_audio_transcription.delta'));
  assert.equal(events.find((event) => event.type === 'conversation.item.input_audio_transcription.completed')?.transcript, 'Hello, world.');
  assert.equal(kinds.at(-1), 'error', 'the empty final commit is answered, and shown in --json only');
});

test('a session.update the service refuses ends the run with one line and exit 1', async () => {
  const { result } = await transcribe({}, ['--input', toneWav('four.wav', 5), '--transcribe', 'no-such-transcribe']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: server error: invalid_value: Invalid value: 'no-such-transcribe'\. \(ending the transcription\)$/m);
});

test('a server that hangs up before a session began ends the transcription in one line, not in reconnecting', async () => {
  const server = await startScriptedServer({ onConnection: (connection) => connection.close(1011) });
  after(() => server.close());
  const result = await runKaiwa(['transcribe', '--url', server.url, '--input', toneWav('hangs-up.wav')], { env: { OPENAI_API_KEY: 'sk-test-transcribe-1234' }, timeoutMs: 20_000 });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: the server closed the connection before a session began \(code 1011\)$/m);
  assert.doesNotMatch(result.stderr, /reconnect/);
  assert.equal(server.connections.length, 1);
});

test('gpt-realtime-whisper takes no VAD (SDK types): refused locally unless --vad none', async () => {
  const refused = await runKaiwa(['transcribe', '--input', toneWav('five.wav'), '--transcribe', 'gpt-realtime-whisper'], { timeoutMs: 10_000 });
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr, 'kaiwa: gpt-realtime-whisper does not support turn detection: add --vad none\n');
  const { result, connection } = await transcribe({ finalCommitHasAudio: true }, ['--input', toneWav('six.wav'), '--transcribe', 'gpt-realtime-whisper', '--vad', 'none']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'The last words.\n');
  const update = connection.received.find((event) => event.type === 'session.update')!;
  assert.equal((((update.session as Json).audio as Json).input as Json).turn_detection, null);
});

test('in a terminal the words being recognized show at once and the completed line replaces them', async () => {
  let release!: () => void;
  const server = await startScriptedServer(transcriptionPeer({ vadTurnAfterMs: 300, completedAfter: new Promise<void>((resolve) => { release = resolve; }) }));
  after(() => server.close());
  const terminal = new TmuxSession(`${process.execPath} ${KAIWA_BIN} transcribe --url ${server.url} --input ${toneWav('tty.wav', 3)}`, {
    env: { OPENAI_API_KEY: 'sk-test-transcribe-1234', XDG_CONFIG_HOME: dir },
  });
  after(() => terminal.kill());
  await terminal.waitFor(/helo wrld/);
  release();
  await terminal.waitFor(/transcribed 1 line/);
  // The scrollback too: the pane's end may scroll the line off the visible screen, and deltas must not hide there either.
  const everything = terminal.captureHistory();
  assert.match(everything, /^Hello, world\.\ntranscribed 1 line/m);
  assert.doesNotMatch(everything, /helo|wrld/, 'the deltas were replaced, not left above the line');
});

test('with TERM=dumb a terminal gets plain lines, as the chat does: no words redrawn in place, no escape codes', async () => {
  const server = await startScriptedServer(transcriptionPeer({ vadTurnAfterMs: 300 }));
  after(() => server.close());
  // script(1) runs kaiwa on a pseudo-terminal and hands over every byte it wrote there, escape codes included.
  const command = `${process.execPath} ${KAIWA_BIN} transcribe --url ${server.url} --input ${toneWav('dumb.wav', 3)}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: cleanEnv({ TERM: 'dumb', OPENAI_API_KEY: 'sk-test-transcribe-1234' }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => child.kill('SIGKILL'));
  let written = '';
  child.stdout.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  const [code] = await once(child, 'close') as [number | null];
  assert.equal(code, 0, written);
  assert.match(written, /^Hello, world\.\r?$/m);
  assert.doesNotMatch(written, /\u001b/, JSON.stringify(written));
  assert.doesNotMatch(written, /helo|wrld/, 'the words being recognized are not shown: a dumb terminal cannot take them back');
});

test('the VAD flags are the conversation\'s: same names, help and defaults in `kaiwa --help` and `kaiwa transcribe --help`', async () => {
  const vadLines = (help: string): string[] => help.split('\n').filter((line) => /^\s+--(vad|vad-threshold|silence-ms|prefix-ms|eagerness)\b/.test(line)).map((line) => line.trim().replace(/\s+/g, ' '));
  const chat = await runKaiwa(['--help']);
  const transcribeHelp = await runKaiwa(['transcribe', '--help']);
  assert.equal(vadLines(chat.stdout).length, 5, chat.stdout);
  assert.deepEqual(vadLines(transcribeHelp.stdout), vadLines(chat.stdout));
});

test('Ctrl-C ends cleanly: the turn under way is committed, its transcript printed, exit 0', async () => {
  const server = await startScriptedServer(transcriptionPeer({ vadTurnAfterMs: 300, finalCommitHasAudio: true }));
  after(() => server.close());
  const result = await runKaiwa(['transcribe', '--url', server.url, '--input', toneWav('long.wav', 30)], {
    env: { OPENAI_API_KEY: 'sk-test-transcribe-1234' }, timeoutMs: 20_000,
    onSpawn: (child, output) => {
      const poll = setInterval(() => {
        if (!output.stdout().includes('Hello, world.')) return;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 20);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Hello, world.\nThe last words.\n');
  assert.match(result.stderr, /transcribed 2 lines from \d+ s of audio/);
  const audioMs = (server.connections[0]!.audio.length / 48);
  assert.ok(audioMs < 20_000, `stopped sending at Ctrl-C (${audioMs} ms of the 30 s file sent)`);
});

test('a connection the server drops is reconnected: the transcription session is configured again and the captions go on', async () => {
  const server = await startScriptedServer(transcriptionPeer({ vadTurnAfterMs: 300, dropAfterMs: 1200, finalCommitHasAudio: true }));
  after(() => server.close());
  const result = await runKaiwa(['transcribe', '--url', server.url, '--input', toneWav('dropped.wav', 3)], { env: { OPENAI_API_KEY: 'sk-fake-redial' }, timeoutMs: 20_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Hello, world.\nThe last words.\n');
  assert.match(result.stderr, /connection lost \(code 1012\): reconnecting in \d+ ms \(attempt 1\)/);
  assert.match(result.stderr, /reconnected; the captions go on/);
  assert.equal(server.connections.length, 2);
  const second = server.connections[1]!.received;
  assert.equal(second[0]?.type, 'session.update', 'the new session is configured first');
  assert.deepEqual(violations((second[0] as WireJson).session), [], 'as a transcription session');
  assert.ok(!second.some((event) => event.type === 'conversation.item.create'), 'no conversation is restored into it');
});
