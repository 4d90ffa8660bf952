/**
 * Every response accounted for, against a strict peer written from the SDK's types (not
 * kaiwa serve): responses kaiwa did not ask for, refused requests, incomplete and failed
 * answers, several messages in one response, piped lines, and questions that outlive a
 * dropped connection.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStrictPeer, type Json, type PeerConnection } from '../helpers/strict-peer.js';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { parseWav } from '../../src/audio/wav.js';
import { tone } from '../helpers/server-speech.js';
import { startTestServer } from '../helpers/server-harness.js';

const KEY = 'sk-strict-peer-test';
const textFlags = (url: string): string[] => ['--url', url, '--no-mic', '--no-speaker', '--modalities', 'text'];

function userText(event: Json): string | undefined {
  const item = event.item as { role?: string; content?: Array<{ text?: string }> } | undefined;
  return event.type === 'conversation.item.create' && item?.role === 'user' ? item.content?.[0]?.text : undefined;
}

test('a response kaiwa did not ask for (out of band, before its own) is labelled, and --once waits for its own answer', async () => {
  const peer = await startStrictPeer({
    onEvent: (connection, event) => {
      if (userText(event) === undefined) return false;
      // A sideband controller starts an out-of-band response the moment the user speaks.
      connection.respond({ outOfBand: true, metadata: { purpose: 'moderation' }, messages: [{ text: 'classification: harmless' }] });
      return false;
    },
  });
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'hello there', '--once'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^assistant: You said: hello there$/m);
  assert.match(result.stdout, /^\[out-of-band response resp_\w+\] classification: harmless$/m);
  assert.doesNotMatch(result.stdout, /^assistant: classification/m);
  assert.deepEqual(peer.violations(), []);
});

test('another party\'s response in the conversation keeps kaiwa\'s request waiting, never sent twice at once, and is not taken for the answer', async () => {
  let controllerResponse: string | undefined;
  const peer = await startStrictPeer({
    onEvent: (connection, event) => {
      if (userText(event) !== undefined && !controllerResponse) {
        // A server-side controller answers first, in the conversation, and takes its time.
        controllerResponse = connection.respond({ metadata: { controller: 'greeter' }, messages: [{ text: 'welcome from the controller' }], hold: true });
        setImmediate(() => connection.finish(controllerResponse!));
      }
      return false;
    },
  });
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'what time is it', '--once'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^assistant: You said: what time is it$/m);
  assert.match(result.stdout, /^\[response kaiwa did not ask for resp_\w+\] welcome from the controller$/m);
  const received = peer.connections[0]!.received;
  const creates = received.filter((event) => event.type === 'response.create');
  assert.ok(creates.length >= 1 && creates.length <= 2, `${creates.length} response.create`);
  assert.deepEqual(peer.violations(), []);
});

test('a refused response.create is reported and --once exits 1 at once', async () => {
  const peer = await startStrictPeer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return false;
      connection.reject(event, 'invalid_value', "Invalid value: 'xhigh'. Supported values are: 'low', 'medium' and 'high'.");
      return true;
    },
  });
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: KEY }, timeoutMs: 15_000 });
  assert.equal(result.signal, null, 'it ended by itself');
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /refused kaiwa's request for a response: Invalid value: 'xhigh'/);
  assertNoStackTrace(result.stderr);
});

for (const [status, details, line, code] of [
  ['incomplete', { type: 'incomplete', reason: 'max_output_tokens' }, /response incomplete: the answer reached the output token limit/, 3],
  ['incomplete', { type: 'incomplete', reason: 'content_filter' }, /response incomplete: the service's safety filter stopped the answer/, 3],
  ['failed', { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request.' } }, /response failed: server_error: The server had an error/, 1],
] as const) {
  test(`a ${status} answer (${JSON.stringify(details.reason ?? details.error?.code)}) says why in one line and --once exits ${code}`, async () => {
    const peer = await startStrictPeer({ reply: () => ({ messages: [{ text: 'The answer is' }], status, statusDetails: details }) });
    after(() => peer.close());
    const result = await runKaiwa([...textFlags(peer.url), '--text', 'tell me everything', '--once'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, code, result.stderr);
    assert.match(result.stderr, line);
    assert.equal(result.stderr.split('\n').filter((text) => /response (incomplete|failed)/.test(text)).length, 1);
  });
}

test('several messages in one response (a reasoning model): every transcript printed, every audio kept, in order', async () => {
  const first = tone(300, 440, 24000);
  const second = tone(500, 660, 24000);
  const peer = await startStrictPeer({
    reply: () => ({ messages: [{ text: 'Let me think.', audio: first }, { text: 'The answer is four.', audio: second }] }),
  });
  after(() => peer.close());
  const dir = tempDir();
  const output = join(dir, 'answer.wav');
  const record = join(dir, 'rec');
  const result = await runKaiwa(['--url', peer.url, '--no-mic', '--no-speaker', '--text', 'two plus two', '--once', '--output', output, '--record', record], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('assistant:'));
  assert.deepEqual(lines, ['assistant: Let me think.', 'assistant: The answer is four.']);
  const wav = parseWav(readFileSync(output));
  assert.deepEqual(Buffer.from(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength), Buffer.concat([first, second]));
  const transcript = readFileSync(join(record, 'transcript.md'), 'utf8');
  assert.ok(transcript.indexOf('Let me think.') >= 0 && transcript.indexOf('Let me think.') < transcript.indexOf('The answer is four.'), transcript);
});

test('piped lines are all answered, in order, before kaiwa exits at the end of input', async () => {
  const peer = await startStrictPeer();
  after(() => peer.close());
  const result = await runKaiwa(textFlags(peer.url), { env: { OPENAI_API_KEY: KEY }, stdin: 'first\nsecond\nthird\n' });
  assert.equal(result.code, 0, result.stderr);
  const answers = result.stdout.split('\n').filter((line) => line.startsWith('assistant:'));
  assert.deepEqual(answers, ['assistant: You said: first', 'assistant: You said: second', 'assistant: You said: third']);
  assert.deepEqual(peer.violations(), []);
});

test('a question whose connection drops before the answer is asked again on the new connection, and --once gets its answer', async () => {
  const peer = await startStrictPeer({
    onEvent: (connection, event) => {
      // The first connection dies the moment the question arrives.
      if (event.type === 'response.create' && peer.connections.indexOf(connection) === 0) {
        connection.terminate();
        return true;
      }
      return false;
    },
  });
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'are you there', '--once', '--reconnect-timeout', '20'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^assistant: You said: are you there$/m);
  assert.equal(peer.connections.length, 2);
  const second = peer.connections[1]!.received;
  assert.deepEqual(second.map(userText).filter(Boolean), ['are you there']);
  assert.equal(second.filter((event) => event.type === 'response.create').length, 1);
  assert.deepEqual(peer.violations(), []);
});

/** A peer that streams each answer whole, then drops the connection before its response.done (`cut` decides which). */
function peerCuttingAnswers(cut: (connectionIndex: number) => boolean) {
  const peer = startStrictPeer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create' || !cut(peerRef.connections.indexOf(connection))) return false;
      const params = (event.response ?? {}) as Json;
      connection.respond({ metadata: (params.metadata as Json | undefined) ?? null, messages: [{ text: 'You said: something, and then' }], hold: true });
      setImmediate(() => connection.terminate());
      return true;
    },
  });
  let peerRef: Awaited<typeof peer>;
  return peer.then((started) => (peerRef = started));
}

const responseCreates = (connection: PeerConnection): number => connection.received.filter((event) => event.type === 'response.create').length;
const restoredAssistantTexts = (connection: PeerConnection): unknown[] => connection.received
  .filter((event) => event.type === 'conversation.item.create' && (event.item as { role?: string }).role === 'assistant').map((event) => event.item);

test('an answer cut off by a dropped connection is asked for once more, from its start; cut off again, kaiwa says so, asks no third time, and --once exits 1', async () => {
  const peer = await peerCuttingAnswers(() => true);
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'are you there', '--once', '--reconnect-timeout', '20'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: the answer was cut off by a lost connection again, so kaiwa does not ask for it a third time; ask again to retry$/m);
  assertNoStackTrace(result.stderr);
  assert.deepEqual(peer.connections.map(responseCreates), [1, 1, 0], 'asked, asked again, then not');
  assert.deepEqual(restoredAssistantTexts(peer.connections[1]!), [], 'the cut-off answer is not restored before it is asked again');
  assert.equal(result.stdout.match(/^you: are you there$/gm)?.length, 1, `the restored question is not printed again:\n${result.stdout}`);
  assert.deepEqual(peer.violations(), []);
});

test('piped lines whose first answer a dropped connection cut off are all answered, in order, each printed once, exit 0', async () => {
  const peer = await peerCuttingAnswers((connection) => connection === 0);
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--reconnect-timeout', '20'], { env: { OPENAI_API_KEY: KEY }, stdin: 'first\nsecond\n' });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n').filter((line) => /^(you|assistant):/.test(line));
  assert.deepEqual(lines, [
    'you: first', 'assistant: You said: something, and then', 'assistant: You said: first',
    'you: second', 'assistant: You said: second',
  ]);
  assert.equal(peer.connections.length, 2);
  assert.equal(responseCreates(peer.connections[1]!), 2);
  assert.deepEqual(peer.violations(), []);
});

test('an answer given up does not end piped input early: the lines after it are answered, and the exit is 1', async () => {
  const peer = await peerCuttingAnswers((connection) => connection < 2);
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--reconnect-timeout', '20'], { env: { OPENAI_API_KEY: KEY }, stdin: 'lost one\nnext one\n' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /does not ask for it a third time/);
  const lines = result.stdout.split('\n').filter((line) => /^(you|assistant):/.test(line));
  assert.deepEqual(lines, [
    'you: lost one', 'assistant: You said: something, and then', 'assistant: You said: something, and then',
    'you: next one', 'assistant: You said: next one',
  ]);
});

test('--once whose answer is given up sends none of the piped lines behind it: none is shown as said, each is reported once as not sent', async () => {
  const peer = await peerCuttingAnswers(() => true);
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--once', '--reconnect-timeout', '20'], { env: { OPENAI_API_KEY: KEY }, stdin: 'a\nb\nc\n' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /does not ask for it a third time/);
  const said = result.stdout.split('\n').filter((line) => line.startsWith('you:'));
  assert.deepEqual(said, ['you: a'], `only what the server took in is shown as said:\n${result.stdout}`);
  for (const line of ['b', 'c']) {
    const reports = result.stderr.split('\n').filter((text) => text.endsWith(`: "${line}"`));
    assert.deepEqual(reports, [`warn: not sent (the session ended before its turn): "${line}"`], result.stderr);
  }
  const sent = new Set(peer.connections.flatMap((connection) => connection.received.map(userText).filter(Boolean)));
  assert.deepEqual([...sent], ['a'], 'only the question went out (again with the restored context)');
  assert.deepEqual(peer.violations(), []);
});

test('a line the server confirms after a fatal error ended the session is shown as said, and not also reported as never confirmed', async () => {
  const peer = await startStrictPeer({
    onEvent: (connection, event) => {
      // The quota runs out as the second line arrives; the server still takes the line in (standard, after).
      if (userText(event) === 'second') connection.send({ type: 'error', error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota.', param: null, event_id: null } });
      return false;
    },
  });
  after(() => peer.close());
  const result = await runKaiwa(textFlags(peer.url), { env: { OPENAI_API_KEY: KEY }, stdin: 'first\nsecond\nthird\n' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /server error: insufficient_quota/);
  assert.match(result.stdout, /^you: second$/m, 'the server took it in');
  assert.doesNotMatch(result.stderr, /never confirmed it: "second"/);
  assert.equal(result.stderr.split('\n').filter((line) => line.endsWith(': "third"')).length, 1, result.stderr);
  assert.match(result.stderr, /^warn: not sent \(the session ended before its turn\): "third"$/m);
});

/** A peer whose `failing` first answers fail for a rate limit, as the service says it. */
function peerRateLimiting(failing: number) {
  let failed = 0;
  return startStrictPeer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create' || failed >= failing) return false;
      failed += 1;
      const params = (event.response ?? {}) as Json;
      connection.respond({
        metadata: (params.metadata as Json | undefined) ?? null, status: 'failed',
        statusDetails: { type: 'failed', error: { type: 'tokens', code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-realtime on tokens per min (TPM). Please try again in 20ms.' } },
      });
      return true;
    },
  });
}

test('a rate-limited answer is asked for again after the wait the service names: piped lines all answered, exit 0', async () => {
  const peer = await peerRateLimiting(1);
  after(() => peer.close());
  const result = await runKaiwa(textFlags(peer.url), { env: { OPENAI_API_KEY: KEY }, stdin: 'first\nsecond\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^asking for the answer again in 0\.0 s \(rate limited\)$/m);
  const answers = result.stdout.split('\n').filter((line) => line.startsWith('assistant:'));
  assert.deepEqual(answers, ['assistant: You said: first', 'assistant: You said: second']);
  assert.equal(peer.connections[0]!.received.filter((event) => event.type === 'response.create').length, 3);
  assert.deepEqual(peer.violations(), []);
});

test('an answer rate-limited twice is reported, not asked a third time; --once exits 1', async () => {
  const peer = await peerRateLimiting(5);
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--text', 'hello', '--once'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(peer.connections[0]!.received.filter((event) => event.type === 'response.create').length, 2);
  assert.match(result.stderr, /response failed: .*rate_limit_exceeded/);
});

test('a server that accepts and hangs up at once is failed attempts with a growing back-off, not "reconnected" over and over', async () => {
  const peer = await startStrictPeer({
    greet: false,
    onConnection: (connection: PeerConnection) => { if (connection !== undefined && peerRef.connections.length > 1) connection.close(1011); },
  });
  const peerRef = peer;
  after(() => peer.close());
  const result = await runKaiwa([...textFlags(peer.url), '--debug', '--reconnect-timeout', '3'], {
    env: { OPENAI_API_KEY: KEY }, keepStdinOpen: true,
    onSpawn: (child) => {
      // Once the first session is up (the peer answered session.update: its session.updated goes out
      // before the close frame), the connection drops; a drop before it would end the run instead.
      const poll = setInterval(() => {
        if (!peer.connections[0]?.received.some((event) => event.type === 'session.update')) return;
        clearInterval(poll);
        peer.connections[0].close(1011);
      }, 20);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /reconnected; the conversation/);
  const attempts = [...result.stderr.matchAll(/attempt (\d+)\)/g)].map((match) => Number(match[1]));
  assert.ok(attempts.length >= 3, result.stderr);
  assert.deepEqual(attempts, attempts.map((_, index) => index + 1));
  assert.match(result.stderr, /could not reconnect within 3 s/);
});

test('soak: 200 typed lines piped through kaiwa against kaiwa serve get 200 answers, in order', async () => {
  const server = await startTestServer();
  const lines = Array.from({ length: 200 }, (_, index) => `line number ${index + 1}`);
  const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--modalities', 'text'], {
    env: { OPENAI_API_KEY: KEY }, stdin: `${lines.join('\n')}\n`, timeoutMs: 120_000,
  });
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const answers = result.stdout.split('\n').filter((line) => line.startsWith('assistant:'));
  assert.deepEqual(answers, lines.map((line) => `assistant: You said: ${line}`));
});

test('a line typed while the connection is down and never restored is reported as not sent', async () => {
  const peer = await startStrictPeer();
  let closed = false;
  const result = await runKaiwa([...textFlags(peer.url), '--reconnect-timeout', '2'], {
    env: { OPENAI_API_KEY: KEY }, keepStdinOpen: true,
    onSpawn: (child, output) => {
      const poll = setInterval(() => {
        if (!closed && peer.connections[0]?.received.some((event) => event.type === 'session.update')) {
          closed = true;
          void peer.close();
        }
        if (closed && output.stderr().includes('connection lost')) {
          clearInterval(poll);
          child.stdin.write('are you still there\n');
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /not sent \(the connection was down\): "are you still there"/);
});
