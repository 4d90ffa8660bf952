/**
 * Records, on the real acoustic loop (bench/echo-loop.ts's rig), exactly what kaiwa's
 * echo canceller is given (KAIWA_ECHO_DUMP: mic.raw, ref.raw, out.raw, events.tsv) and,
 * beside it, what the speaker's monitor and the microphone's monitor carried (spk.raw,
 * micmon.raw, parecord at 24 kHz), for offline analysis (bench/echo-analyse.py,
 * bench/echo-offline.ts).
 *
 *   npm run build && node --import tsx bench/echo-capture.ts --out DIR [--delay 300] [--gain -6] [--seconds 30]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SourceCapture, converseOnRig, count, startLoopRig } from '../test/helpers/loop-scenario.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const out = resolve(option('--out', 'echo-capture'));
const delayMs = Number(option('--delay', '300'));
const gainDb = Number(option('--gain', '-6'));
const seconds = Number(option('--seconds', '30'));
const mode = option('--mode', 'in-process');
/** Types the question again this often (0: once), for more replies in one capture. */
const askEvery = Number(option('--ask-every', '0'));
const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';

mkdirSync(out, { recursive: true });
const rig = await startLoopRig({ delayMs, volumePercent: 100 * 10 ** (gainDb / 60) });
try {
  const speaker = new SourceCapture('spk.monitor', 24000);
  const microphone = new SourceCapture('mic.monitor', 24000);
  await Promise.all([speaker.ready(), microphone.ready()]);
  const endsAt = performance.now() + seconds * 1000;
  process.env['KAIWA_ECHO_DUMP'] = out;
  const result = await converseOnRig(rig, ['--echo-guard', mode, '--debug'], async (child) => {
    child.stdin.write(`${QUESTION}\n`);
    let nextAsk = performance.now() + askEvery * 1000;
    while (performance.now() < endsAt) {
      await new Promise((r) => setTimeout(r, 100));
      if (askEvery > 0 && performance.now() >= nextAsk) {
        child.stdin.write(`${QUESTION}\n`);
        nextAsk += askEvery * 1000;
      }
    }
  }, seconds * 1000 + 10_000);
  const [spk, mic] = await Promise.all([speaker.stop(), microphone.stop()]);
  writeFileSync(`${out}/spk.raw`, Buffer.from(spk.buffer, spk.byteOffset, spk.byteLength));
  writeFileSync(`${out}/micmon.raw`, Buffer.from(mic.buffer, mic.byteOffset, mic.byteLength));
  writeFileSync(`${out}/stderr.txt`, result.stderr);
  // The peer's view, on the wall clock (events.tsv's epoch line ties kaiwa's clock to it).
  const toWall = Date.now() - performance.now();
  writeFileSync(`${out}/peer.tsv`, rig.proxy.log.filter((e) => e.from === 'server' && /speech_started|response.created|speech_stopped/.test(e.type))
    .map((e) => `${e.type}\t${(e.at + toWall).toFixed(0)}\n`).join(''));
  process.stderr.write(`responses ${count(rig.proxy, 'server', 'response.created')}, speech starts ${count(rig.proxy, 'server', 'input_audio_buffer.speech_started')}\n`);
} finally {
  await rig.close();
}
