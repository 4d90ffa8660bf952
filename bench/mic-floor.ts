/**
 * `node --import tsx bench/mic-floor.ts [rounds]`: what reading the microphone costs any Node
 * process, beside what kaiwa costs. Nothing is ever played: a private PulseAudio, a scripted
 * peer that only confirms the session. Side by side each round: a bare Node reader of SoX at
 * kaiwa's block (4096 bytes, 85 ms) and at the article script's (8192), kaiwa with and without
 * its echo guard, and kaiwa with no microphone; MIC_FLOOR_OTHER_BUILD=path/to/main.cjs adds
 * another kaiwa build (e.g. one that drops each chunk as it is read). CPU of all threads
 * (/proc/PID/task/*\/schedstat) from 10 s to 40 s after start, in ms. Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { startScriptedServer } from '../test/helpers/scripted-server.js';
import { gaSessionCreated } from '../test/helpers/event-scripts.js';
import { cpuOverWindow } from './lib/thread-cpu.js';
import { asEntry } from './lib/entry-node-flags.js';

const KAIWA = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
const FROM_MS = 10_000;
const WINDOW_MS = 30_000;

function bareReader(blockBytes: number): ChildProcess {
  const sox = ['-q', '-t', 'pulseaudio', 'default', '--buffer', String(blockBytes), '-t', 'raw', '-r', '24000', '-e', 'signed-integer', '-b', '16', '-c', '1', '-'];
  const program = `const s = require('child_process').spawn('sox', ${JSON.stringify(sox)}, { stdio: ['ignore', 'pipe', 'ignore'] });
s.stdout.on('data', () => {});
process.on('SIGINT', () => { s.kill(); process.exit(0); });`;
  return spawn(process.execPath, ['-e', program], { stdio: 'ignore' });
}

function kaiwa(url: string, main: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [...asEntry(main), '--url', url, '--no-speaker', ...args], {
    env: { ...process.env, OPENAI_API_KEY: 'sk-bench' }, stdio: ['pipe', 'ignore', 'ignore'],
  });
}

const rounds = Number(process.argv[2] ?? 3);
const pulse = await startPulse();
const server = await startScriptedServer({
  onConnection: (connection) => connection.send(gaSessionCreated()),
  onEvent: (connection, event) => {
    if (event.type === 'session.update') connection.send({ ...(gaSessionCreated() as object), type: 'session.updated' });
  },
});
try {
  for (let round = 1; round <= rounds; round++) {
    const other = process.env.MIC_FLOOR_OTHER_BUILD;
    const processes: Array<[string, ChildProcess]> = [
      ['bare reader, 4096-byte block', bareReader(4096)],
      ['bare reader, 8192-byte block', bareReader(8192)],
      ['kaiwa --echo-guard off', kaiwa(server.url, KAIWA, ['--echo-guard', 'off'])],
      ['kaiwa', kaiwa(server.url, KAIWA, [])],
      ['kaiwa --no-mic', kaiwa(server.url, KAIWA, ['--no-mic'])],
      ...(other ? [[`${other} --echo-guard off`, kaiwa(server.url, other, ['--echo-guard', 'off'])] as [string, ChildProcess]] : []),
    ];
    console.log(`round ${round}: ${await cpuOverWindow(processes, FROM_MS, WINDOW_MS)}`);
  }
} finally {
  await server.close();
  await pulse.stop();
}
