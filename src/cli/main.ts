#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { addChatOptions, type ChatOptions } from './chat-options.js';
import { applyConfigFile } from './config-file.js';
import { runChat } from './chat-command.js';
import { KaiwaError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';

function fail(message: string, code: number): never {
  process.stderr.write(`kaiwa: ${message}\n`);
  process.exit(code);
}

/** Every error reaches the user as one line; a stack trace only with --debug. */
function reportAndExit(error: unknown): never {
  if (error instanceof KaiwaError) fail(error.message, error.exitCode);
  if (error instanceof CommanderError) fail(error.message.replace(/^error: /, ''), error.exitCode === 0 ? 0 : 2);
  const debug = process.argv.includes('--debug');
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  fail(`unexpected error: ${errorMessage(error)}${debug ? '' : ' (run with --debug for details)'}`, 1);
}

function buildProgram(): Command {
  const program = new Command('kaiwa')
    .description('Talk with realtime speech-to-speech AI from the terminal')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => { if (!text.startsWith('error:')) process.stderr.write(text); } });
  const chat = addChatOptions(new Command('chat').description('hold a spoken conversation (the default command)'))
    .exitOverride()
    .configureOutput({ writeErr: (text) => { if (!text.startsWith('error:')) process.stderr.write(text); } })
    .action(async (options: ChatOptions, command: Command) => {
      applyConfigFile(command, options.config);
      const code = await runChat(command.opts<ChatOptions>(), {
        stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
      });
      process.exit(code);
    });
  program.addCommand(chat, { isDefault: true });
  return program;
}

process.on('unhandledRejection', reportAndExit);
buildProgram().parseAsync(process.argv).catch(reportAndExit);
