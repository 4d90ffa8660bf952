import type { FunctionTool, SessionConfig } from '../events.js';
import { fromGaFormat, toGaFormat } from '../audio-format.js';
import { fromLiveFormat, toLiveFormat } from './live-audio.js';
import type { LiveSessionConfig, LiveSessionResource } from './live-types.js';

export interface LiveStartOptions {
  /** The Responses model that runs kaiwa's function tools (Responses delegation); without it tools stay local-only. */
  delegateModel?: string | undefined;
}

export interface LiveStart {
  config: LiveSessionConfig;
  /** GA settings with no Live twin, by name, for one notice (turn detection and transcription are built in). */
  dropped: string[];
}

const CARRIED = new Set(['type', 'model', 'instructions', 'audio', 'tools']);
const CARRIED_AUDIO = new Set(['format', 'voice']);
/** GA settings Live has built in (turn detection, transcription) or has no use for: left out without a word. */
const BUILT_IN = new Set(['output_modalities', 'tool_choice', 'include', 'turn_detection', 'transcription', 'noise_reduction']);

type Json = Record<string, unknown>;

function droppedSettings(session: SessionConfig): string[] {
  const dropped = Object.keys(session).filter((key) => !CARRIED.has(key) && !BUILT_IN.has(key) && (session as unknown as Json)[key] !== undefined);
  for (const side of ['input', 'output'] as const) {
    const settings = (session.audio?.[side] ?? {}) as Json;
    for (const key of Object.keys(settings)) {
      if (!CARRIED_AUDIO.has(key) && !BUILT_IN.has(key) && settings[key] !== undefined) dropped.push(`audio.${side}.${key}`);
    }
  }
  return dropped;
}

function functionTools(session: SessionConfig): FunctionTool[] {
  return (session.tools ?? []).filter((tool): tool is FunctionTool => tool.type === 'function');
}

/**
 * kaiwa's session (GA shape) as Live's `session.start` config: model, instructions, one
 * audio format for both directions and the voice are fixed for the session's life.
 * Function tools go to a Responses backend (Live calls it; the calls come back to kaiwa).
 */
export function liveStartConfig(session: SessionConfig, options: LiveStartOptions = {}): LiveStart {
  const format = fromGaFormat(session.audio?.output?.format ?? session.audio?.input?.format) ?? 'pcm16';
  const voice = session.audio?.output?.voice;
  const config: LiveSessionConfig = {
    model: session.model ?? '',
    audio: { format: toLiveFormat(format), ...(voice ? { output: { voice } } : {}) },
    ...(session.instructions ? { instructions: session.instructions } : {}),
  };
  const dropped = droppedSettings(session);
  const tools = functionTools(session);
  if (tools.length && options.delegateModel) {
    config.delegation = {
      type: 'responses',
      responses: {
        model: options.delegateModel,
        tools: tools.map((tool) => ({
          type: 'function', name: tool.name ?? '', description: tool.description ?? null, parameters: (tool.parameters ?? null) as Json | null,
        })),
      },
    };
  } else if (tools.length) {
    dropped.push('tools (no --delegate-model)');
  }
  return { config, dropped };
}

/** A Live session resource as the GA session kaiwa's reducer keeps (turn detection is the server's own). */
export function gaSessionOf(resource: LiveSessionResource): SessionConfig {
  const format = fromLiveFormat(resource.audio?.format) ?? 'pcm16';
  const voice = resource.audio?.output?.voice;
  return {
    type: 'realtime',
    model: resource.model,
    ...(resource.instructions ? { instructions: resource.instructions } : {}),
    output_modalities: ['audio'],
    audio: {
      // Live detects turns itself and stops speaking when interrupted: as GA's server VAD with interrupt_response.
      input: { format: toGaFormat(format), turn_detection: { type: 'server_vad', interrupt_response: true, create_response: true } },
      output: { format: toGaFormat(format), ...(typeof voice === 'string' ? { voice } : {}) },
    },
  } as SessionConfig;
}
