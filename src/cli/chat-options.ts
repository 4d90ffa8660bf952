import { Command, Option } from 'commander';
import { AUDIO_FORMAT_NAMES, type AudioFormatName } from '../protocol/audio-format.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../protocol/protocols.js';
import { nonEmpty, numberIn, oneOf, tokenLimit } from './parse-values.js';
import { ECHO_GUARD_MODES, type EchoGuardMode } from './echo-guard.js';
import { REASONING_EFFORTS, type ReasoningEffort } from '../protocol/realtime-models.js';
import { languageList, promptVariable, truncation, voiceName, type Truncation } from './session-values.js';
import { addVadOptions, type Eagerness, type VadMode } from './vad-flags.js';
import { own } from '../own-text.js';

export type { VadMode, Eagerness } from './vad-flags.js';
export type NoiseReductionMode = 'near_field' | 'far_field' | 'off';

/** Everything the conversation command understands, after flags and the config file are merged. */
export interface ChatOptions {
  model: string;
  voice?: string;
  instructions?: string;
  instructionsFile?: string;
  transcribe?: string;
  /** One ISO-639-1 code, or several separated by commas. */
  language?: string;
  transcribePrompt?: string;
  noiseReduction?: NoiseReductionMode;
  speed?: number;
  idleTimeoutMs?: number;
  truncation?: Truncation;
  promptId?: string;
  promptVersion?: string;
  /** NAME=VALUE entries. */
  promptVar: string[];
  vad: VadMode;
  vadThreshold?: number;
  silenceMs?: number;
  prefixMs?: number;
  eagerness?: Eagerness;
  audioFormat: AudioFormatName;
  modalities?: 'audio' | 'text';
  maxOutputTokens?: number | 'inf';
  reasoningEffort?: ReasoningEffort;
  protocol: ProtocolName;
  /** Live: the Responses model that runs delegated tasks with kaiwa's function tools. */
  delegateModel?: string;
  url?: string;
  local: boolean;
  azureEndpoint?: string;
  azureDeployment?: string;
  apiVersion?: string;
  connectTimeout: number;
  /** A PEM certificate to trust for wss: (besides the usual roots and kaiwa serve's own). */
  ca?: string;
  reconnect: boolean;
  reconnectTimeout: number;
  renewAfterMinutes: number;
  input?: string;
  output?: string;
  speaker: boolean;
  mic: boolean;
  playbackLeadMs: number;
  echoGuard: EchoGuardMode;
  headphones: boolean;
  text?: string;
  record?: string;
  maxCost?: number;
  maxMinutes?: number;
  tools: string[];
  mcp: string[];
  mcpUrl: string[];
  mcpTimeout: number;
  builtinTools?: string;
  yes: boolean;
  once: boolean;
  json: boolean;
  debug: boolean;
  config?: string;
}

/** The SDK marks gpt-realtime and gpt-realtime-mini to shut down on 2027-01-20; 2.1 is their successor. */
export const DEFAULT_MODEL = 'gpt-realtime-2.1';

/** A repeatable flag's values, each one checked like a single flag's (an empty one is a mistake, e.g. an unset variable). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** Declares the conversation flags on a command; help text is the user's reference. */
export function addChatOptions(command: Command): Command {
  return addVadOptions(command
    .addOption(new Option('--model <name>', 'Realtime model').default(DEFAULT_MODEL).argParser(nonEmpty))
    .addOption(new Option('--voice <name>', own`assistant voice (alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar) or a custom voice id (voice_…)`).argParser(voiceName))
    .addOption(new Option('--speed <0.25..1.5>', "speed of the assistant's speech (1 is normal)").argParser(numberIn(0.25, 1.5)))
    .addOption(new Option('--instructions <text>', 'system instructions for the assistant').conflicts('instructionsFile'))
    .addOption(new Option('--instructions-file <file>', 'read the instructions from a UTF-8 file').argParser(nonEmpty))
    .addOption(new Option('--transcribe <model>', 'input transcription model, or "none" (default gpt-4o-mini-transcribe; whisper-1 with --protocol beta)').argParser(nonEmpty))
    .addOption(new Option('--language <codes>', own`language of your speech for transcription (ja, en, …; several: ja,en)`).argParser(languageList))
    .addOption(new Option('--transcribe-prompt <text>', 'words or style to guide the transcription of your speech').argParser(nonEmpty))
    .addOption(new Option('--noise-reduction <kind>', 'filter the microphone before the server listens: near_field (headset), far_field (laptop, room) or off').choices(['near_field', 'far_field', 'off'])))
    .addOption(new Option('--idle-timeout-ms <ms>', 'server VAD: after this much silence the assistant prompts you (5000-30000)').argParser(numberIn(5000, 30000, true)))
    .addOption(new Option('--audio-format <format>', 'audio on the wire').choices(AUDIO_FORMAT_NAMES).default('pcm16'))
    .addOption(new Option('--modalities <kind>', 'what the assistant answers with: audio (with transcript) or text').choices(['audio', 'text']))
    .addOption(new Option('--max-output-tokens <n>', 'cap on tokens per response (1-4096 or inf)').argParser(tokenLimit))
    .addOption(new Option('--truncation <mode>', 'when the conversation outgrows the context: auto, disabled (an error instead), or a retention ratio 0..1').argParser(truncation))
    .addOption(new Option('--prompt-id <id>', own`a stored prompt (pmpt_…) to start the session from`).argParser(nonEmpty))
    .addOption(new Option('--prompt-version <version>', "the stored prompt's version (default: its current one)").argParser(nonEmpty))
    .addOption(new Option('--prompt-var <name=value>', "a variable for the stored prompt (repeatable)").argParser(promptVariable).default([]))
    .addOption(new Option('--reasoning-effort <level>', `how hard a reasoning model (gpt-realtime-2, -2.1) thinks: ${REASONING_EFFORTS.join(', ')}`).argParser(oneOf(REASONING_EFFORTS)))
    .addOption(new Option('--protocol <name>', 'protocol: ga, beta (OpenAI-Beta: realtime=v1), or live (GPT-Live, /v1/live/sessions; default model gpt-live-1)').argParser(oneOf(PROTOCOL_NAMES)).default('ga'))
    .addOption(new Option('--delegate-model <name>', 'with --protocol live: the Responses model GPT-Live delegates tool use to (needed for --tools/--mcp)').argParser(nonEmpty))
    .addOption(new Option('--url <url>', 'Realtime endpoint or base URL (ws, wss, http, https); /realtime is appended unless present').argParser(nonEmpty))
    .addOption(new Option('--ca <file>', 'trust this PEM certificate for wss: (kaiwa serve --tls\'s own is trusted already)').argParser(nonEmpty))
    .addOption(new Option('--local', "talk to kaiwa's built-in offline server even when an API key is set").default(false).conflicts(['url', 'azureEndpoint']))
    .addOption(new Option('--azure-endpoint <url>', 'Azure OpenAI resource endpoint, e.g. https://NAME.openai.azure.com').argParser(nonEmpty))
    .addOption(new Option('--azure-deployment <name>', 'Azure OpenAI deployment name').argParser(nonEmpty))
    .addOption(new Option('--api-version <version>', 'Azure preview API version, e.g. 2024-10-01-preview (implies --protocol beta; omit for the GA /openai/v1 endpoint)').argParser(nonEmpty))
    .addOption(new Option('--connect-timeout <ms>', 'give up connecting (and waiting for the session to begin) after this long').argParser(numberIn(100, 120000, true)).default(15000))
    .addOption(new Option('--reconnect-timeout <s>', 'keep trying to reconnect for this long before giving up').argParser(numberIn(1, 3600)).default(60))
    .addOption(new Option('--no-reconnect', 'end the session when the connection drops instead of reconnecting'))
    .addOption(new Option('--renew-after-minutes <m>', 'renew the session between turns after this long, before the service\'s 60-minute limit ends it (0: never)').argParser(numberIn(0, 1440)).default(55))
    .addOption(new Option('--input <file.wav>', 'stream a WAV file in real time instead of the microphone (- : a WAV piped in on standard input)').argParser(nonEmpty))
    .addOption(new Option('--output <file.wav>', "write the assistant's audio to a WAV file").argParser(nonEmpty))
    .addOption(new Option('--no-speaker', "don't play the assistant's audio"))
    .addOption(new Option('--no-mic', "don't record the microphone (type instead)"))
    .addOption(new Option('--echo-guard <mode>', "keep the assistant's voice out of the microphone: auto or in-process (kaiwa's own echo canceller, half-duplex while it does not hold), pulse (PulseAudio's module; aec is an alias), half-duplex, off").choices(ECHO_GUARD_MODES).default('auto'))
    .addOption(new Option('--headphones', 'no speaker-to-microphone echo to guard against (same as --echo-guard off)').default(false))
    .addOption(new Option('--playback-lead-ms <ms>', 'audio handed to the speaker ahead of time (lower stops faster on interruption)').argParser(numberIn(20, 2000, true)).default(150))
    .addOption(new Option('--text <message>', 'send this message when the session starts').argParser(nonEmpty))
    .addOption(new Option('--record <dir>', 'keep the session: conversation.wav (you left, assistant right), transcript.md, events.jsonl').argParser(nonEmpty))
    .addOption(new Option('--max-cost <usd>', 'warn at 80 %, and at 100 % stop listening and end the session after the current response').argParser(numberIn(0.0001, 100000)))
    .addOption(new Option('--max-minutes <n>', 'the same limit on the session length').argParser(numberIn(0.01, 100000)))
    .addOption(new Option('--tools <file>', 'tools for the model: a .js/.mjs/.ts module or a .json of commands (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--mcp <command>', 'an MCP server to start over stdio, e.g. "npx -y @modelcontextprotocol/server-filesystem ." (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--mcp-url <url>', 'an MCP server over Streamable HTTP (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--mcp-timeout <s>', 'give up on an MCP server that has not started and listed its tools within this long').argParser(numberIn(1, 600)).default(30))
    .addOption(new Option('--builtin-tools <names>', 'offline tools: time, timer, calculator, or all').argParser(nonEmpty))
    .addOption(new Option('--yes', 'approve every tool call without asking').default(false))
    .addOption(new Option('--once', 'exit after the first complete response (for scripts)').default(false))
    .addOption(new Option('--json', 'print every server event as one JSON line (audio elided)').default(false))
    .addOption(new Option('--debug', 'log protocol details to stderr').default(false))
    .addOption(new Option('--config <file>', 'config file (default ~/.config/kaiwa/config.json)').argParser(nonEmpty));
}
