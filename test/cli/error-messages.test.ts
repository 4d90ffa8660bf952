import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { assertNoStackTrace, runKaiwa, type KaiwaResult } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const KEY = 'sk-errors-test-key-0987654321';
const dir = tempDir();

function assertOneLineFailure(result: KaiwaResult, pattern: RegExp, code?: number): void {
  assertNoStackTrace(result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.notEqual(result.code, 0);
  if (code !== undefined) assert.equal(result.code, code);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('no API key and no --url: offline mode against the built-in server, said in one line', async () => {
  const result = await runKaiwa(['--text', 'こんにちは', '--once', '--no-mic', '--no-speaker']);
  assert.equal(result.code, 0, result.stderr);
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /^offline \(no OPENAI_API_KEY\): kaiwa's local server echoes you; it is no model$/m);
  assert.match(result.stdout, /^assistant: You said: こんにちは$/m);
});

test('--local uses the built-in server even with a key set, and never sends the key there', async () => {
  const result = await runKaiwa(['--local', '--text', 'hi', '--once', '--no-mic', '--no-speaker', '--json'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /"type":"response\.done"/);
  assert.ok(!result.stdout.includes(KEY) && !result.stderr.includes(KEY));
});

test('401 at the upgrade: the key was rejected, said in one line', async () => {
  const server = await startScriptedServer({ rejectStatus: 401 });
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assertOneLineFailure(result, /rejected the API key \(401/, 1);
    assert.ok(!result.stderr.includes(KEY));
  } finally {
    await server.close();
  }
});

test('connection refused: one line naming the cause', async () => {
  const port = await freePort();
  const result = await runKaiwa(['--url', `ws://127.0.0.1:${port}/v1`, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assertOneLineFailure(result, /cannot connect to ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime: connection refused/, 1);
});

test('a server error event mid-session is printed in one line and the session goes on', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.send({ type: 'error', event_id: 'event_1', error: { type: 'invalid_request_error', code: 'some_code', message: 'Something was off.', param: null, event_id: null } });
      for (const reply of gaVoiceTurn({ assistantTranscript: 'Still here.', audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warn: server error: some_code: Something was off\.$/m);
    assert.match(result.stdout, /^assistant: Still here\.$/m);
  } finally {
    await server.close();
  }
});

test('a malformed frame is ignored and reported; the session goes on', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.sendRaw('{"type": "response.output_audio.delta", broken');
      connection.send({ type: 'response.output_audio.delta', event_id: 'e', item_id: 'i' });
      for (const reply of gaVoiceTurn({ assistantTranscript: 'Fine.', audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /ignored a frame that is not JSON/);
    assert.match(result.stderr, /ignored malformed event: response\.output_audio\.delta without a valid delta/);
    assert.match(result.stdout, /^assistant: Fine\.$/m);
  } finally {
    await server.close();
  }
});

test('an event whose response output or message content is no list is ignored and reported; the session goes on (it ended as a stray error)', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.send({ type: 'conversation.item.added', event_id: 'e1', item: { id: 'item_bad1', type: 'message', role: 'user', content: 'hello' } });
      connection.send({ type: 'conversation.item.added', event_id: 'e2', item: { id: 'item_bad2', type: 'message', role: 'user', content: [null] } });
      connection.send({ type: 'response.done', event_id: 'e3', response: { id: 'resp_bad', object: 'realtime.response', status: 'completed', output: [null] } });
      connection.send({ type: 'response.done', event_id: 'e4', response: { id: 'resp_bad', object: 'realtime.response', status: 'completed', output: 'none' } });
      for (const reply of gaVoiceTurn({ assistantTranscript: 'Fine.', audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /error outside the conversation|is not a function|Cannot read properties/);
    assert.match(result.stderr, /ignored malformed event: conversation\.item\.added with a message item whose content is not a list of parts/);
    assert.match(result.stderr, /ignored malformed event: response\.done with a response whose output is not a list of items/);
    assert.match(result.stdout, /^assistant: Fine\.$/m);
  } finally {
    await server.close();
  }
});

test('missing SoX without anything else to say: one line with the fix', async () => {
  const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1'], { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: '/nonexistent/sox' } });
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /SoX is not installed.*apt-get install sox/);
  // No conversation began: kaiwa does not say how it would have gone on.
  assert.doesNotMatch(result.stderr, /continuing in text mode/);
  assert.notEqual(result.code, 0);
});

test('missing SoX with --text: text mode, the session asks for text answers', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type === 'response.create') for (const reply of gaVoiceTurn({ assistantTranscript: 'Text only.', audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: '/nonexistent/sox' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /SoX is not installed/);
    const update = server.connections[0]!.received[0] as unknown as { session: { output_modalities?: string[] } };
    assert.deepEqual(update.session.output_modalities, ['text']);
  } finally {
    await server.close();
  }
});

test('a machine with SoX but no sound card: one line, then the lines piped in are answered as text', async () => {
  // What SoX does there: ALSA finds no card, and SoX fails before any audio.
  const noCard = join(dir, 'sox-no-card');
  writeFileSync(noCard, '#!/bin/sh\necho "ALSA lib confmisc.c:855:(parse_card) cannot find card \'0\'" >&2\necho "sox FAIL sox: Sorry, there is no default audio device configured" >&2\nexit 2\n', { mode: 0o755 });
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type === 'response.create') for (const reply of gaVoiceTurn({ assistantTranscript: 'Typed, answered.', audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url], { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: noCard }, stdin: 'first line\nsecond line\n' });
    assert.equal(result.code, 0, result.stderr);
    assertNoStackTrace(result.stderr);
    assert.match(result.stderr, /no audio (input|output) device: Sorry, there is no default audio device configured/);
    assert.match(result.stderr, /continuing in text mode: each line on standard input is a message/);
    assert.equal(result.stdout.split('\n').filter((line) => line === 'assistant: Typed, answered.').length, 2, result.stdout);
    const update = server.connections[0]!.received[0] as unknown as { session: { output_modalities?: string[] } };
    assert.deepEqual(update.session.output_modalities, ['text']);
  } finally {
    await server.close();
  }
});

test('an input file that does not exist: one line, before connecting', async () => {
  const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--input', join(dir, 'missing.wav'), '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assertOneLineFailure(result, /missing\.wav/);
});

test('an input file that is not a WAV: one line, before connecting', async () => {
  const bogus = join(dir, 'bogus.wav');
  writeFileSync(bogus, 'this is not audio at all, just text pretending');
  const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--input', bogus, '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assertOneLineFailure(result, /not a WAV/i);
});

for (const [flags, pattern] of [
  [['--vad', 'maybe'], /--vad.*maybe.*server, semantic, none/],
  [['--vad-threshold', '7'], /--vad-threshold.*0 to 1/],
  [['--audio-format', 'mp3'], /--audio-format.*pcm16/],
  [['--protocol', 'v2'], /--protocol.*ga, beta/],
  [['--silence-ms', '-5'], /--silence-ms/],
  [['--frobnicate'], /unknown option '--frobnicate'/],
] as const) {
  test(`bad flag ${flags.join(' ')}: one line, exit 2`, async () => {
    const result = await runKaiwa([...flags], { env: { OPENAI_API_KEY: KEY } });
    assertOneLineFailure(result, pattern, 2);
  });
}

test('a config file value is validated like the flag', async () => {
  const config = join(dir, 'bad-config.json');
  writeFileSync(config, JSON.stringify({ vadThreshold: 3 }));
  const result = await runKaiwa(['--config', config], { env: { OPENAI_API_KEY: KEY } });
  assertOneLineFailure(result, /bad-config\.json: "vadThreshold"/, 2);
});

for (const [status, pattern] of [[403, /access denied \(403/], [404, /not found \(404\): check the URL, the model name/]] as const) {
  test(`${status} at the upgrade: one line saying what it means`, async () => {
    const server = await startScriptedServer({ rejectStatus: status });
    try {
      const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
      assertOneLineFailure(result, pattern, 1);
    } finally {
      await server.close();
    }
  });
}

test('a host that does not resolve: one line about DNS', async () => {
  const result = await runKaiwa(['--url', 'ws://no-such-host.invalid/v1', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assertOneLineFailure(result, /cannot connect to ws:\/\/no-such-host\.invalid\/v1\/realtime: (host not found|DNS lookup failed)/, 1);
});

test('a server that never answers the upgrade: --connect-timeout in one line', async () => {
  const silent = createServer();
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  try {
    const result = await runKaiwa(['--url', `ws://127.0.0.1:${port}/v1`, '--connect-timeout', '300', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assertOneLineFailure(result, /no answer within 300 ms \(--connect-timeout\)/, 1);
  } finally {
    silent.close();
  }
});

test('a WebSocket server that is no Realtime server (it answers with text and hangs up): one line saying so, exit 1, no reconnecting', async () => {
  const server = await startScriptedServer({
    onConnection: (connection) => {
      connection.sendRaw('Welcome to the echo server');
      connection.close(1011);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assertNoStackTrace(result.stderr);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: the server closed the connection before a session began \(code 1011\); what it sent \(1 message\) was not Realtime events: is the URL a Realtime endpoint\?$/m);
    assert.doesNotMatch(result.stderr, /reconnect/);
    assert.equal(server.connections.length, 1, 'connected once');
  } finally {
    await server.close();
  }
});

test('a server that accepts the connection and never begins a session: one line after --connect-timeout, exit 1', async () => {
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--connect-timeout', '400', '--text', 'hi', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assertNoStackTrace(result.stderr);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: the server accepted the connection but began no session in 0\.4 s \(no session\.created\)$/m);
  } finally {
    await server.close();
  }
});

test('a fatal server error (bad key mid-session) ends the session with exit 1; a recoverable one does not', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type === 'response.create') connection.send({ type: 'error', event_id: 'e', error: { type: 'invalid_request_error', code: 'insufficient_quota', message: 'You exceeded your current quota.', param: null, event_id: null } });
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY }, keepStdinOpen: true, timeoutMs: 10_000 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /insufficient_quota: You exceeded your current quota\. \(out of credit.*ending the session\)/);
  } finally {
    await server.close();
  }
});

test('a mistyped command or a bare word: one line that names it and what was likely meant, exit 2', async () => {
  const typo = await runKaiwa(['transcrib', '--input', 'x.wav']);
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr, 'kaiwa: unknown command or word "transcrib": did you mean kaiwa transcribe?\n');
  const words = await runKaiwa(['--voice', 'marin', 'hello', 'there']);
  assert.equal(words.code, 2);
  assert.equal(words.stderr, 'kaiwa: unknown command or word "hello": to ask something, use --text "hello there"; the commands are serve, transcribe, replay\n');
  assert.equal((await runKaiwa(['serv'])).stderr, 'kaiwa: unknown command or word "serv": did you mean kaiwa serve?\n');
});

test('a WAV piped in without --input -, or binary data: one line saying so, exit 2, nothing of it sent as a message', async () => {
  const server = await startScriptedServer();
  try {
    const wav = Buffer.concat([Buffer.from('RIFF\u0024\u0000\u0000\u0000WAVEfmt '), Buffer.alloc(16), Buffer.from('data'), Buffer.alloc(200, 7), Buffer.from('\nmore\n')]);
    const asWav = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-binary-0000' }, stdin: wav });
    assert.equal(asWav.code, 2, asWav.stderr);
    assert.match(asWav.stderr, /^error: standard input is a WAV file, not lines of text: to send it as your voice, use --input -$/m);
    const binary = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-binary-0000' }, stdin: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x0a]) });
    assert.equal(binary.code, 2, binary.stderr);
    assert.match(binary.stderr, /standard input holds binary data, not lines of text/);
    assertNoStackTrace(`${asWav.stderr}${binary.stderr}`);
    const messages = server.connections.flatMap((connection) => connection.received).filter((event) => event.type === 'conversation.item.create' || event.type === 'response.create');
    assert.deepEqual(messages, []);
  } finally {
    await server.close();
  }
});

test('piped lines that are not UTF-8 (Latin-1): the line is refused in one line with the fix, not sent garbled', async () => {
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-test-binary-0000' }, stdin: Buffer.from('caf\xe9 au lait\n', 'latin1') });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^error: standard input is not UTF-8 text \(nothing of this line was sent\): convert it first, e\.g\. iconv -f latin1 -t utf-8$/m);
    assert.deepEqual(server.connections.flatMap((connection) => connection.received).filter((event) => event.type === 'conversation.item.create'), []);
  } finally {
    await server.close();
  }
});

test('after a fatal server error no further piped line is sent; the lines left are reported as not sent', async () => {
  const texts: string[] = [];
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type === 'conversation.item.create') texts.push(JSON.stringify(event.item));
      if (event.type !== 'response.create') return;
      if (texts.length === 1) {
        // As the service does: the response fails, and the error says why.
        connection.send({ type: 'response.created', event_id: 'e1', response: { id: 'resp_q', object: 'realtime.response', status: 'in_progress', output: [] } });
        connection.send({ type: 'error', event_id: 'e2', error: { type: 'invalid_request_error', code: 'insufficient_quota', message: 'You exceeded your current quota.', param: null, event_id: null } });
        connection.send({ type: 'response.done', event_id: 'e3', response: { id: 'resp_q', object: 'realtime.response', status: 'failed', output: [], status_details: { type: 'failed', error: { type: 'insufficient_quota', code: 'insufficient_quota' } } } });
      } else {
        gaVoiceTurn({ assistantTranscript: 'an answer', audioChunks: [] }).forEach((reply) => connection.send(reply));
      }
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY }, stdin: 'quota\nhello\nworld\n', timeoutMs: 10_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(texts.length, 1, `only the first line was sent: ${texts.join(', ')}`);
    assert.doesNotMatch(result.stdout, /hello/);
    assert.match(result.stderr, /not sent \(the session ended before its turn\): "hello"/);
    assert.match(result.stderr, /not sent \(the session ended before its turn\): "world"/);
  } finally {
    await server.close();
  }
});

for (const [what, args, line, code] of [
  ['an --url that is no WebSocket or HTTP URL', ['--url', 'ftp://x'], /^kaiwa: --url must start with ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ \(got ftp:\)$/, 2],
  ['a tools module that is not there', ['--tools', '/nonexistent/tools.js'], /^kaiwa: \/nonexistent\/tools\.js: cannot read the tools module \(no such file or directory\)$/, 2],
] as const) {
  test(`${what}: one line, no word about the sound devices of a run refused before it began`, async () => {
    const result = await runKaiwa([...args], { env: { OPENAI_API_KEY: KEY, KAIWA_SOX: '/nonexistent/sox' } });
    assertOneLineFailure(result, line, code);
  });
}
