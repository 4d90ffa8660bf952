#!/usr/bin/env -S node --no-memory-reducer
// --no-memory-reducer: V8 otherwise runs two full garbage collections ~8 s into every
// conversation (its heap grew by more than 1 MB at start, the program and the first reply),
// to hand back ~3 MB of a ~12 MB heap: ~40 ms of CPU, a tenth of a 40 s conversation's
// (BENCHMARKS.md, 2026-12-03 evening). `npm start` passes the same flags.
// The entry point, kept apart from the rest of kaiwa (program.cjs, one large file that takes
// ~100 ms to compile without a code cache): for a voice conversation, its first act is to
// start the microphone's SoX, whose first block takes about as long again. Everything else
// is in program.cjs, compiled from V8's code cache when there is one (program-loader.ts).
import { fileURLToPath } from 'node:url';
import { isConversation, startEarlyDevices } from './early-devices.js';
import { earlySoxStarted } from '../audio/early-sox.js';
import { codeCacheFile } from './code-cache.js';
import { runProgram, saveAtExit } from './program-loader.js';

const args = process.argv.slice(2);
const voice = startEarlyDevices(args) !== undefined;
const program = fileURLToPath(new URL('./program.cjs', import.meta.url));
const reach = voice ? 'voice' : isConversation(args) ? 'conversation' : 'command';
// Not awaited at the top: the built entry is a CommonJS script (dist/cli/main.cjs), which Node
// reaches ~10 ms sooner than an ES module, and SoX starts that much sooner. The microphone's
// SoX starts on the event loop's next turn (its socket connected): the program, compiled in
// one synchronous step, waits for that, or SoX would wait for it.
// The program reports its own errors; only a broken install (no program to run) gets here.
earlySoxStarted().then(() => runProgram(program, { cacheFile: codeCacheFile(program), reach, scheduleSave: saveAtExit(reach) })).catch((error: unknown) => {
  process.stderr.write(`kaiwa: cannot start: ${whyNotRun(error)}; reinstall it or run npm run build\n`);
  process.exitCode = 1;
});

function whyNotRun(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${program} is missing`;
  if (code === 'EACCES' || code === 'EISDIR') return `${program} cannot be read`;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') return `part of kaiwa beside ${program} is missing`;
  return error instanceof Error ? error.message : String(error);
}
