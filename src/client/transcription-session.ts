import { EventEmitter } from 'node:events';
import type { RealtimeSession } from './session.js';
import { CaptionTrack, type FinishedCaption } from './caption-track.js';
import type { ProtocolError, ServerEvent, ServerEventOf, TranscriptionSessionConfig } from '../protocol/events.js';

type InputSettings = NonNullable<NonNullable<TranscriptionSessionConfig['audio']>['input']>;

/** What a transcription session is asked for; the SDK's transcription session takes nothing else. */
export interface TranscriptionSettings {
  model: string;
  /** One language, or several (`languages`, for the models that take them). */
  languages?: readonly string[] | undefined;
  prompt?: string | undefined;
  turnDetection: InputSettings['turn_detection'];
  /** Omitted: the service's default; null: off. */
  noiseReduction?: 'near_field' | 'far_field' | null | undefined;
}

export interface TranscriptionEvents {
  /** The captions not yet final, whenever they change. */
  'partial': [text: string];
  /** A final caption, in the order the turns were committed. */
  'line': [caption: FinishedCaption];
  'completed': [event: ServerEventOf<'conversation.item.input_audio_transcription.completed'>];
  /** An `error` from the server that is not the expected answer to an empty final commit. */
  'problem': [error: ProtocolError, aboutConfiguration: boolean];
}

export type FinishOutcome = 'done' | 'closed' | 'timed-out';

/** The `session.update` of a transcription session: type, and audio.input only. */
export function transcriptionSessionConfig(settings: TranscriptionSettings): TranscriptionSessionConfig {
  const transcription = {
    model: settings.model,
    ...(settings.languages?.length === 1 ? { language: settings.languages[0]! } : {}),
    ...(settings.languages && settings.languages.length > 1 ? { languages: [...settings.languages] } : {}),
    ...(settings.prompt ? { prompt: settings.prompt } : {}),
  };
  const noiseReduction = settings.noiseReduction === undefined ? {}
    : { noise_reduction: settings.noiseReduction === null ? null : { type: settings.noiseReduction } };
  return {
    type: 'transcription',
    audio: { input: { transcription, turn_detection: settings.turnDetection, ...noiseReduction } as InputSettings },
  };
}

/**
 * Live captions over a Realtime connection opened with `?intent=transcription`: turns
 * are committed (by the server's VAD, or by `finish`), and each gets its transcript.
 * At the end, `finish` commits what is left and waits until every turn has its final
 * transcript; a final commit on an empty buffer is answered with an error, which only
 * means there was nothing left to transcribe.
 */
export class TranscriptionSession extends EventEmitter<TranscriptionEvents> {
  private readonly track = new CaptionTrack();
  /** Turns the server's VAD closed (speech_stopped came first): not the answer to a manual commit. */
  private readonly vadTurns = new Set<string>();
  private configureId: string | undefined;
  private finalCommitId: string | undefined;
  private finalCommitAnswered = false;
  private settled: (() => void) | undefined;

  constructor(private readonly session: RealtimeSession) {
    super();
    session.on('server-event', (event) => this.onServerEvent(event));
    session.on('close', () => this.settled?.());
  }

  configure(settings: TranscriptionSettings): void {
    this.configureId = this.session.send({ type: 'session.update', session: transcriptionSessionConfig(settings) });
  }

  /**
   * The connection was lost: the turns committed on it will never get their transcript (a new
   * session knows nothing of them). They are reported as failed, in their place; returns how many.
   */
  connectionLost(): number {
    const lost = this.track.abandonUnsettled('lost with the connection');
    this.vadTurns.clear();
    if (lost) this.changed();
    return lost;
  }

  /** Turns committed whose transcript has not arrived yet. */
  get unsettled(): number {
    return this.track.unsettled;
  }

  /**
   * Commits the last turn and resolves once it and every earlier turn has its final
   * transcript ('done'), the connection closed first, or nothing arrived for `quietMs`.
   */
  finish(quietMs: number): Promise<FinishOutcome> {
    if (!this.session.isOpen) return Promise.resolve('closed');
    this.finalCommitId = this.session.send({ type: 'input_audio_buffer.commit' });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const end = (outcome: FinishOutcome): void => {
        clearTimeout(timer);
        this.session.off('server-event', check);
        this.settled = undefined;
        resolve(outcome);
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => end('timed-out'), quietMs);
      };
      const check = (): void => {
        if (this.finalCommitAnswered && this.track.unsettled === 0) end('done');
        else arm();
      };
      this.settled = () => end(this.session.isOpen ? 'done' : 'closed');
      this.session.on('server-event', check);
      arm();
    });
  }

  private onServerEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'input_audio_buffer.speech_stopped':
        this.vadTurns.add(event.item_id);
        return;
      case 'input_audio_buffer.committed':
        if (this.finalCommitId && !this.vadTurns.has(event.item_id)) this.finalCommitAnswered = true;
        this.track.committed(event.item_id);
        return this.changed();
      case 'conversation.item.input_audio_transcription.delta':
        this.track.delta(event.item_id, event.delta ?? '');
        return this.changed();
      case 'conversation.item.input_audio_transcription.completed':
        this.emit('completed', event);
        this.track.completed(event.item_id, event.transcript);
        return this.changed();
      case 'conversation.item.input_audio_transcription.failed':
        this.track.failed(event.item_id, event.error.message ?? event.error.code ?? 'transcription failed');
        return this.changed();
      case 'error':
        return this.onError(event.error);
      default:
    }
  }

  private onError(error: ProtocolError): void {
    const answersFinalCommit = this.finalCommitId !== undefined && error.event_id === this.finalCommitId;
    if (answersFinalCommit) this.finalCommitAnswered = true;
    if (answersFinalCommit && error.code === 'input_audio_buffer_commit_empty') return;
    this.emit('problem', error, error.event_id != null && error.event_id === this.configureId);
  }

  private changed(): void {
    for (const caption of this.track.takeFinished()) this.emit('line', caption);
    this.emit('partial', this.track.partial);
  }
}
