import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startRealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { FaultInjector } from '../../src/testing/index.js';
import { startLoggingProxy } from '../helpers/logging-proxy.js';
import { ROOT, runKaiwa } from '../helpers/cli-runner.js';
import { fakeSpeech } from '../helpers/server-speech.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('50 forced disconnects in one session (mid-response, mid-tool-call, between turns): no crash, lines kept, context restored', async () => {
  const faults = new FaultInjector();
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: fakeSpeech(), connectionHook: faults });
  const proxy = await startLoggingProxy(server.url);
  const sessionsOpened = (): number => proxy.log.filter((event) => event.type === 'session.created').length;
  const drops = 50;
  const missed: number[] = [];
  try {
    const result = await runKaiwa(['--url', proxy.url, '--no-mic', '--no-speaker', '--tools', join(ROOT, 'examples', 'weather-tools.mjs'), '--yes'], {
      env: { OPENAI_API_KEY: 'sk-reconnect-test-0000' },
      keepStdinOpen: true,
      timeoutMs: 120_000,
      onSpawn: (child) => {
        void (async () => {
          for (let turn = 0; sessionsOpened() <= drops && turn < drops * 2; turn++) {
            const before = sessionsOpened();
            const kind = turn % 3;
            // kind 1: the tool is still running when the line drops (its output must reach the new session);
            // every other time, the call itself is cut off half-way.
            const midCall = turn % 6 === 4;
            const rule = kind === 0 ? faults.dropOnServerEvent('response.output_audio_transcript.delta', { nth: 2 })
              : midCall ? faults.dropOnServerEvent('response.function_call_arguments.done', { timing: 'after' })
                : faults.dropOnServerEvent('response.done', { timing: 'after' });
            child.stdin.write(kind === 1 ? `call get_weather with city Paris ${turn}\n` : `hello number ${turn}\n`);
            for (let i = 0; i < 200 && sessionsOpened() === before; i++) await sleep(25);
            if (sessionsOpened() === before) missed.push(kind);
            rule.cancel();
            await sleep(150);
          }
          child.stdin.write('final words\n');
          await sleep(1500);
          child.kill('SIGTERM');
        })();
      },
    });
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assert.equal(sessionsOpened(), drops + 1, 'one new session per forced disconnect');
    console.log(`turns whose fault did not fire (kind): ${JSON.stringify(missed)}`);
    assert.match(result.stderr, /reconnected; the conversation so far was restored/);
    const completed = proxy.log.filter((entry) => entry.from === 'server' && entry.type === 'response.output_audio_transcript.done')
      .map((entry) => String(entry.event.transcript));
    for (const line of completed) assert.ok(result.stdout.includes(`assistant: ${line}\n`), `kept: ${line}`);
    const toolAnswers = completed.filter((line) => line.startsWith('The get_weather tool returned')).length;
    console.log(`${completed.length} completed replies, ${toolAnswers} of them answering a tool call that was cut off`);
    assert.ok(completed.length >= drops / 3, `${completed.length} completed replies`);
    assert.ok(toolAnswers >= 3, 'tool results produced around a drop still reach the model');
    const lastRestore = proxy.log.filter((entry) => entry.from === 'client' && entry.type === 'conversation.item.create');
    const restoredTexts = JSON.stringify(lastRestore.slice(-20).map((entry) => entry.event.item));
    assert.match(restoredTexts, /hello number 4[0-9]/, 'recent turns restored into the new session');
    assert.match(JSON.stringify(lastRestore.map((entry) => entry.event.item)), /"type":"function_call_output"/, 'tool outputs restored');
    assert.match(result.stdout, /assistant: You said: final words/);
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('an expired session (the service ends it) carries on in a new one; a server that stays away ends it after --reconnect-timeout', async () => {
  const faults = new FaultInjector();
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: fakeSpeech(), connectionHook: faults });
  const proxy = await startLoggingProxy(server.url);
  try {
    const result = await runKaiwa(['--url', proxy.url, '--no-mic', '--no-speaker', '--reconnect-timeout', '2'], {
      env: { OPENAI_API_KEY: 'sk-reconnect-test-0000' },
      keepStdinOpen: true,
      timeoutMs: 30_000,
      onSpawn: (child) => {
        void (async () => {
          const sessionId = await faults.nextSession(5000, true);
          child.stdin.write('before expiry\n');
          await sleep(800);
          faults.expire(sessionId);
          await sleep(1500);
          child.stdin.write('after expiry\n');
          await sleep(800);
          faults.refuseNext(1000);
          faults.dropAll();
        })();
      },
    });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /assistant: You said: before expiry/);
    assert.match(result.stdout, /assistant: You said: after expiry/);
    assert.match(result.stderr, /session_expired/);
    assert.match(result.stderr, /could not reconnect within 2 s \(.*503.*\); ending the session/);
    const restored = proxy.log.filter((entry) => entry.from === 'client' && entry.type === 'conversation.item.create').map((entry) => JSON.stringify(entry.event.item));
    assert.ok(restored.some((item) => item.includes('You said: before expiry') && item.includes('output_text')), 'the answer before expiry was restored');
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('--no-reconnect ends the session when the connection drops', async () => {
  const faults = new FaultInjector();
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: fakeSpeech(), connectionHook: faults });
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--no-reconnect'], {
      env: { OPENAI_API_KEY: 'sk-reconnect-test-0000' },
      keepStdinOpen: true,
      timeoutMs: 15_000,
      onSpawn: () => { void faults.nextSession(5000, true).then(() => sleep(300)).then(() => faults.dropAll()); },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /connection closed by the server \(code 1006\)/);
  } finally {
    await server.close();
  }
});
