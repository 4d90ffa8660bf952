import { UsageError } from '../errors.js';
import { reasoningSupport } from '../protocol/realtime-models.js';
import type { ChatOptions } from './chat-options.js';
import { LIVE_ONLY_FORMATS } from '../protocol/audio-format.js';

/**
 * Flags that are well-formed one by one but wrong together, refused in one line before
 * kaiwa connects (the service would answer them with an error event, or ignore them).
 */
export function checkSessionFlags(options: ChatOptions): void {
  if (options.reasoningEffort !== undefined && reasoningSupport(options.model) === 'no') {
    throw new UsageError(`--reasoning-effort: ${options.model} is not a reasoning model (gpt-realtime-2 and -2.1 are); drop the flag or pick one of those`);
  }
  if (options.idleTimeoutMs !== undefined && options.vad !== 'server') {
    throw new UsageError(`--idle-timeout-ms works with server VAD only (--vad server), not --vad ${options.vad}`);
  }
  if (LIVE_ONLY_FORMATS.has(options.audioFormat) && options.protocol !== 'live') {
    throw new UsageError(`--audio-format ${options.audioFormat} is GPT-Live's (--protocol live): the Realtime API takes PCM16 at 24 kHz only`);
  }
  if (options.output === '-') {
    // `--input -` reads standard input, but standard output carries the transcript: a WAV there would be mixed into it.
    throw new UsageError('--output -: standard output carries the transcript; give the WAV a file name');
  }
  if (options.delegateModel !== undefined && options.protocol !== 'live') {
    // Only GPT-Live hands tool use to another model: anywhere else the flag would be dropped without a word.
    throw new UsageError('--delegate-model works with --protocol live only (the model GPT-Live hands tool use to; the Realtime API runs tools itself): add --protocol live or drop the flag');
  }
  const toolFlags = toolFlagsGiven(options);
  if (options.protocol === 'live' && options.delegateModel === undefined && toolFlags.length) {
    // GPT-Live runs no tools itself: a session without the ones asked for would answer as if they did not exist.
    const flags = toolFlags.join(' and ');
    throw new UsageError(`${flags} with --protocol live ${toolFlags.length > 1 ? 'need' : 'needs'} --delegate-model NAME (the Responses model GPT-Live hands tool use to, e.g. gpt-5-mini)`);
  }
  if ((options.promptVersion !== undefined || options.promptVar.length > 0) && options.promptId === undefined) {
    throw new UsageError('--prompt-version and --prompt-var need --prompt-id (the stored prompt they belong to)');
  }
}

/** The flags that asked for tools, as the user would name them. */
function toolFlagsGiven(options: ChatOptions): string[] {
  return [
    ...(options.builtinTools !== undefined ? ['--builtin-tools'] : []),
    ...(options.tools.length ? ['--tools'] : []),
    ...(options.mcp.length ? ['--mcp'] : []),
    ...(options.mcpUrl.length ? ['--mcp-url'] : []),
  ];
}
