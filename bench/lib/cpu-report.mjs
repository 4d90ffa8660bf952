/**
 * Preloaded (`node --import`) into a process the bench measures as a whole: on each SIGUSR2
 * it notes the CPU used so far (the bench sends it when the client's start-up is over, and
 * at a fixed time after the start), and at exit it writes the whole lifetime's CPU (all
 * threads) and those marks to BENCH_CPU_FILE.
 * A client without its own SIGINT handler (the article's script) is ended by SIGINT here,
 * as Node would end it, but through process.exit so the numbers are written.
 * Plain JavaScript, so it adds nothing but itself to the start-up it measures.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file) {
  const ms = (usage) => (usage.user + usage.system) / 1000;
  const marks = [];
  process.on('SIGUSR2', () => { marks.push({ cpuMs: ms(process.cpuUsage()), uptimeMs: process.uptime() * 1000 }); });
  const onInterrupt = () => { if (process.listenerCount('SIGINT') === 1) process.exit(130); };
  process.on('SIGINT', onInterrupt);
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ cpuMs: ms(process.cpuUsage()), uptimeMs: process.uptime() * 1000, marks }));
  });
}
