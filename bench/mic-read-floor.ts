/**
 * `node --import tsx bench/mic-read-floor.ts [rounds]`: what reading SoX's microphone costs a
 * Node process that reads it as kaiwa does (a Unix socket with `onread`, one reused buffer;
 * src/audio/child-output-socket.ts) and nothing else, by how it reads: woken by each of SoX's
 * 4096-byte blocks (kaiwa's, 85 ms), by each 8192-byte block (the article script's), or on a
 * timer every 170 or 85 ms that reads what is waiting (`readSync` on the paused socket's
 * descriptor). A private PulseAudio; CPU of all threads (/proc/PID/task/*\/schedstat) from 10 s
 * to 40 s after start, in ms. Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { cpuOverWindow } from './lib/thread-cpu.js';

const FROM_MS = 10_000;
const WINDOW_MS = 30_000;

/** A Node process reading SoX through a Unix socket: at each block (`timerMs` undefined) or every `timerMs`. */
function reader(blockBytes: number, timerMs?: number): ChildProcess {
  const sox = ['-q', '-t', 'pulseaudio', 'default', '--buffer', String(blockBytes), '-t', 'raw', '-r', '24000', '-e', 'signed-integer', '-b', '16', '-c', '1', '-'];
  const program = `
const net = require('net'), fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaiwa-read-floor-')), socketPath = path.join(dir, 's');
const server = net.createServer();
server.listen(socketPath);
const buffer = Buffer.alloc(65536);
const client = net.connect({ path: socketPath, onread: { buffer, callback: () => {} } });
server.once('connection', (end) => {
  fs.unlinkSync(socketPath); fs.rmdirSync(dir); server.close();
  const sox = cp.spawn('sox', ${JSON.stringify(sox)}, { stdio: ['ignore', end, 'ignore'] });
  end.destroy();
  const timerMs = ${timerMs ?? 0};
  if (timerMs) {
    client.pause();
    const fd = client._handle.fd;
    setInterval(() => { try { while (fs.readSync(fd, buffer, 0, buffer.length, null) > 0); } catch {} }, timerMs);
  }
  process.on('SIGINT', () => { sox.kill(); process.exit(0); });
});`;
  return spawn(process.execPath, ['-e', program], { stdio: 'ignore' });
}

const rounds = Number(process.argv[2] ?? 3);
const pulse = await startPulse();
try {
  for (let round = 1; round <= rounds; round++) {
    const processes: Array<[string, ChildProcess]> = [
      ['each 4096-byte block', reader(4096)],
      ['each 8192-byte block', reader(8192)],
      ['4096-byte blocks, read every 170 ms', reader(4096, 170)],
      ['4096-byte blocks, read every 85 ms', reader(4096, 85)],
    ];
    console.log(`round ${round}: ${await cpuOverWindow(processes, FROM_MS, WINDOW_MS)}`);
  }
} finally {
  await pulse.stop();
}
