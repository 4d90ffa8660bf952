#!/usr/bin/env node
// The entry point, kept apart from the rest of kaiwa (program.js, one large file that takes
// ~100 ms to compile): for a voice conversation, its first act is to start the microphone's
// SoX, whose first block takes about as long again. Everything else is in program.js.
import { startEarlyDevices } from './early-devices.js';

startEarlyDevices(process.argv.slice(2));
await import('./program.js');
