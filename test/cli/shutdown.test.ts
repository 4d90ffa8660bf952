import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startPulse, type PulseServer } from '../helpers/audio-pulse.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { parseWav } from '../../src/audio/wav.js';
import { waitFor } from '../helpers/wait-for.js';
import { isAlive } from '../helpers/audio-fake-sox.js';

/** Samples in the WAV being written at `path` so far (the writer keeps it valid throughout). */
function samplesWritten(path: string): number {
  try {
    return parseWav(readFileSync(path)).samples.length;
  } catch {
    return 0;
  }
}

let pulse: PulseServer;
let server: ScriptedServer;
const dir = tempDir();
const longReply = wavData(speechWav(dir, 'This is a long answer that keeps going for quite a while, so that there is time to interrupt it before it ends.', 24000));

before(async () => {
  pulse = await startPulse();
  server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      const chunks: Buffer[] = [];
      for (let at = 0; at < longReply.length; at += 9600) chunks.push(longReply.subarray(at, at + 9600));
      for (const reply of gaVoiceTurn({ assistantTranscript: 'This is a long answer.', audioChunks: chunks })) connection.send(reply);
    },
  });
});
after(async () => {
  await server.close();
  await pulse.stop();
});

function soxChildrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim().split(/\s+/)).filter(([, ppid, comm]) => Number(ppid) === pid && comm === 'sox').map(([p]) => Number(p));
}


for (const signal of ['SIGTERM', 'SIGHUP'] as const) test(`${signal} mid-reply${signal === 'SIGHUP' ? ' (the terminal closed)' : ''}: recorder and player stop, socket closes with 1000, WAV complete, summary, exit 0, no SoX left`, async () => {
  const output = join(dir, `${signal}.wav`);
  let soxSeen: number[] = [];
  const result = await runKaiwa(['--url', server.url, '--text', 'talk to me', '--output', output], {
    env: { OPENAI_API_KEY: 'sk-shutdown-test-0000' },
    keepStdinOpen: true,
    onSpawn: (child, out) => {
      void (async () => {
        await waitFor(() => out.stdout().includes('assistant:') && soxChildrenOf(child.pid!).length >= 2, { what: 'the reply and both SoX processes', timeoutMs: 8000 });
        soxSeen = soxChildrenOf(child.pid!);
        // The whole reply has arrived (the file holds it) and is still playing: mid-reply.
        await waitFor(() => samplesWritten(output) * 2 >= longReply.length, { what: 'the whole reply in the WAV', timeoutMs: 8000 });
        child.kill(signal);
      })().catch(() => child.kill(signal));
    },
  });
  assert.equal(soxSeen.length, 2, 'a real SoX recorder and player were running');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /session ended: .*1 response/);
  assert.equal((await server.connections.at(-1)!.closed).code, 1000);
  const wav = parseWav(readFileSync(output));
  assert.equal(wav.sampleRate, 24000);
  assert.equal(wav.samples.length * 2, longReply.length, 'every received sample written');
  // kaiwa's own SoX processes (not the machine's: other tests and runs may use SoX meanwhile).
  const leftovers = soxSeen.filter(isAlive);
  assert.deepEqual(leftovers, [], 'no SoX process outlives kaiwa');
});

test('a second Ctrl-C exits at once, still without orphans', async () => {
  let soxSeen: number[] = [];
  let signalled = false;
  const result = await runKaiwa(['--url', server.url, '--text', 'talk to me', '--no-mic'], {
    env: { OPENAI_API_KEY: 'sk-shutdown-test-0000' },
    keepStdinOpen: true,
    // A hang would meet this deadline and a SIGKILL: the exit below must come by itself.
    timeoutMs: 10_000,
    onSpawn: (child, out) => {
      void (async () => {
        await waitFor(() => out.stdout().includes('assistant:') && soxChildrenOf(child.pid!).length >= 1, { what: 'the reply and the SoX player', timeoutMs: 8000 });
        soxSeen = soxChildrenOf(child.pid!);
        signalled = true;
        child.kill('SIGINT');
        child.kill('SIGINT');
      })().catch(() => undefined);
    },
  });
  assert.ok(signalled);
  assert.equal(result.signal, null, 'kaiwa exited by itself, not at the runner\'s deadline');
  assert.ok([0, 130].includes(result.code ?? -1), `exit ${result.code}`);
  assert.ok(soxSeen.length >= 1);
  await waitFor(() => !soxSeen.some(isAlive), { what: `kaiwa's SoX (${soxSeen.join(', ')}) to be gone`, timeoutMs: 2000 });
});
