#!/usr/bin/env node
// The entry point, kept apart from the rest of kaiwa (program.cjs, one large file that takes
// ~100 ms to compile without a code cache): for a voice conversation, its first act is to
// start the microphone's SoX, whose first block takes about as long again. Everything else
// is in program.cjs, compiled from V8's code cache when there is one (program-loader.ts).
import { fileURLToPath } from 'node:url';
import { isConversation, startEarlyDevices } from './early-devices.js';
import { codeCacheFile } from './code-cache.js';
import { runProgram, saveAtExit } from './program-loader.js';

const args = process.argv.slice(2);
// Read from disk while SoX starts and the program compiles; the program gets KaiwaError from here.
const shared = import('../errors.js').then((errors) => ({ '../errors.js': errors }));
const voice = startEarlyDevices(args) !== undefined;
const program = fileURLToPath(new URL('./program.cjs', import.meta.url));
const reach = voice ? 'voice' : isConversation(args) ? 'conversation' : 'command';
// Not awaited at the top: the built entry is a CommonJS script (dist/cli/main.cjs), which Node
// reaches ~10 ms sooner than an ES module, and SoX starts that much sooner.
void runProgram(program, { shared, cacheFile: codeCacheFile(program), reach, scheduleSave: saveAtExit(reach) });
