/** Runs `kaiwa serve` the way the CLI will (flags parsed by commander), for signal tests. */
import { Command } from 'commander';
import { addServeOptions, runServe, type ServeOptions } from '../../src/cli/serve-command.js';

const command = addServeOptions(new Command('serve'));
command.parse(process.argv.slice(2), { from: 'user' });
const code = await runServe(command.opts<ServeOptions>());
process.exit(code);
