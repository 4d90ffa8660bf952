/**
 * Session and response shapes of the 2024 beta (`OpenAI-Beta: realtime=v1`): flat fields
 * instead of GA's nested `audio.input` / `audio.output`, and `modalities` that always
 * include text. Pure functions, used in both directions.
 */
import type { SessionConfig, ResponseParams, WireAudioFormat } from './events.js';
import { fromBetaFormat, fromGaFormat, toBetaFormat, toGaFormat } from './audio-format.js';

type Json = Record<string, unknown>;

export function gaModalitiesToBeta(modalities: readonly string[] | undefined): string[] | undefined {
  if (!modalities) return undefined;
  return modalities.includes('audio') ? ['text', 'audio'] : ['text'];
}

export function betaModalitiesToGa(modalities: unknown): Array<'text' | 'audio'> | undefined {
  if (!Array.isArray(modalities)) return undefined;
  return modalities.includes('audio') ? ['audio'] : ['text'];
}

function betaFormatOf(format: WireAudioFormat | undefined): string | undefined {
  const name = fromGaFormat(format);
  return name ? toBetaFormat(name) : undefined;
}

function gaFormatOf(format: unknown): WireAudioFormat | undefined {
  const name = fromBetaFormat(format);
  return name ? toGaFormat(name) : undefined;
}

function assignDefined(target: Json, entries: Json): Json {
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) target[key] = value;
  }
  return target;
}

/** GA session → beta session. `type` and `model` are dropped: beta fixes the model in the URL. */
export function gaSessionToBeta(session: Partial<SessionConfig>): Json {
  const { type: _type, model: _model, audio, output_modalities, max_output_tokens, ...rest } = session;
  const input = audio?.input;
  const output = audio?.output;
  const beta: Json = {};
  assignDefined(beta, {
    modalities: gaModalitiesToBeta(output_modalities),
    voice: output?.voice,
    speed: output?.speed,
    input_audio_format: betaFormatOf(input?.format),
    output_audio_format: betaFormatOf(output?.format),
    input_audio_transcription: input?.transcription,
    input_audio_noise_reduction: input?.noise_reduction,
    max_response_output_tokens: max_output_tokens,
  });
  if (input && 'turn_detection' in input) beta.turn_detection = input.turn_detection;
  return assignDefined(beta, rest as Json);
}

/** Fields of GA's session object that beta sessions never had. */
const GA_ONLY_SESSION_FIELDS = ['truncation', 'prompt', 'include', 'expires_at'];

/**
 * The session object a beta server announces (session.created/updated): the flat beta
 * fields, with `model` (and `temperature`, when the server keeps one) and without GA-only
 * fields (truncation, prompt, include, expires_at, the VAD's idle_timeout_ms).
 */
export function gaSessionObjectToBeta(session: Partial<SessionConfig> & Json): Json {
  const beta = gaSessionToBeta(session);
  if (typeof session.model === 'string') beta.model = session.model;
  for (const field of GA_ONLY_SESSION_FIELDS) delete beta[field];
  const detection = beta.turn_detection;
  if (typeof detection === 'object' && detection !== null && 'idle_timeout_ms' in detection) {
    const { idle_timeout_ms: _idle, ...rest } = detection as Json;
    beta.turn_detection = rest;
  }
  return beta;
}

/** A response object as a beta server sends it: `max_output_tokens` keeps its name there. */
export function gaResponseObjectToBeta(response: Json): Json {
  const { max_response_output_tokens, ...rest } = gaResponseToBeta(response as ResponseParams);
  return max_response_output_tokens === undefined ? rest : { ...rest, max_output_tokens: max_response_output_tokens };
}

/** Beta session → GA session; unknown beta fields pass through untouched. */
export function betaSessionToGa(beta: Json): SessionConfig {
  const {
    modalities, voice, speed, input_audio_format, output_audio_format, input_audio_transcription,
    input_audio_noise_reduction, turn_detection, max_response_output_tokens, ...rest
  } = beta;
  const input = assignDefined({}, { format: gaFormatOf(input_audio_format) });
  // null is meaningful (switch it off), so these are copied whenever present.
  if ('input_audio_transcription' in beta) input.transcription = input_audio_transcription;
  if ('input_audio_noise_reduction' in beta) input.noise_reduction = input_audio_noise_reduction;
  if ('turn_detection' in beta) input.turn_detection = turn_detection;
  const output = assignDefined({}, { format: gaFormatOf(output_audio_format), voice, speed });
  const audio = assignDefined({}, {
    input: Object.keys(input).length ? input : undefined,
    output: Object.keys(output).length ? output : undefined,
  });
  const ga: Json = { type: 'realtime' };
  assignDefined(ga, rest);
  assignDefined(ga, {
    output_modalities: betaModalitiesToGa(modalities),
    max_output_tokens: max_response_output_tokens,
    audio: Object.keys(audio).length ? audio : undefined,
  });
  return ga as unknown as SessionConfig;
}

/** GA response parameters (response.create) → beta. */
export function gaResponseToBeta(response: ResponseParams): Json {
  const { output_modalities, audio, max_output_tokens, ...rest } = response;
  return assignDefined(assignDefined({}, rest as Json), {
    modalities: gaModalitiesToBeta(output_modalities),
    voice: audio?.output?.voice,
    output_audio_format: betaFormatOf(audio?.output?.format),
    max_response_output_tokens: max_output_tokens,
  });
}

/** Beta response (parameters or the server's response object) → GA. */
export function betaResponseToGa(beta: Json): Json {
  const { modalities, voice, output_audio_format, max_response_output_tokens, ...rest } = beta;
  const output = assignDefined({}, { voice, format: gaFormatOf(output_audio_format) });
  return assignDefined(rest, {
    output_modalities: betaModalitiesToGa(modalities),
    audio: Object.keys(output).length ? { output } : undefined,
    max_output_tokens: max_response_output_tokens,
  });
}
