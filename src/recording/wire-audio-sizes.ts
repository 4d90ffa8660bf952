import { fromBetaFormat, fromGaFormat, wireBytesPerSecond, type AudioFormatName } from '../protocol/audio-format.js';
import type { WireAudioFormat } from '../protocol/events.js';

/**
 * Turns the size of a base64 audio payload into its duration, for placing a chunk in the
 * WAV before its decoded PCM arrives. The formats come from the session events themselves,
 * so a G.711 session (8 kHz, a byte per sample) is measured right.
 */
export class WireAudioSizes {
  private input: AudioFormatName = 'pcm16';
  private output: AudioFormatName = 'pcm16';

  constructor(private readonly sampleRate: number) {}

  /** Picks up formats from session.update / session.created / session.updated. */
  observe(event: { type: string; session?: unknown }): void {
    if (!['session.update', 'session.created', 'session.updated'].includes(event.type)) return;
    const session = asRecord(event.session);
    const audio = asRecord(session?.audio);
    this.input = formatOf(asRecord(audio?.input)?.format, session?.input_audio_format) ?? this.input;
    this.output = formatOf(asRecord(audio?.output)?.format, session?.output_audio_format) ?? this.output;
  }

  /** Frames at the recording's rate that `bytes` of wire audio in that direction last. */
  frames(bytes: number, direction: 'input' | 'output'): number {
    const format = direction === 'input' ? this.input : this.output;
    return Math.round((bytes / wireBytesPerSecond(format)) * this.sampleRate);
  }
}

function formatOf(ga: unknown, beta: unknown): AudioFormatName | undefined {
  return fromGaFormat(asRecord(ga) as WireAudioFormat | undefined) ?? fromBetaFormat(beta);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
