import type { AudioSink, AudioSource } from '../audio/devices.js';
import type { PacedPlayer } from '../audio/paced-player.js';
import type { RealtimeSession } from './session.js';
import type { WireCodec } from './wire-codec.js';
import type { ClientEventOf, ServerEvent, ServerEventOf } from '../protocol/events.js';
import { QuietAppendHold } from './quiet-append-hold.js';

const DEFAULT_MIN_APPEND_MS = 40;
/**
 * Six of kaiwa's 85 ms chunks: through a long silence a third of the appends of sending
 * every two (each append's frame, and the write that carries it, cost ~0.3 ms of CPU on
 * loopback, as much as everything else kaiwa does with a chunk). Only a start of speech
 * softer than QuietAppendHold's threshold could wait, for up to this long.
 */
const DEFAULT_QUIET_APPEND_MS = 500;

export interface AudioBridgeOptions {
  session: RealtimeSession;
  codec: WireCodec;
  source?: AudioSource | undefined;
  /** The speaker, paced so it can be stopped mid-word. */
  speaker?: PacedPlayer | undefined;
  /** Files that keep the assistant's audio as received (minus interrupted items). */
  sinks: AudioSink[];
  /** Called when the source ends (a WAV file ran out); the bridge itself does not decide what follows. */
  onSourceEnd?: () => void;
  /** Asked for each response's audio: false keeps it off the speaker and out of the files. */
  plays?: (responseId: string) => boolean;
  /** Asked before each captured chunk is sent (mute, push-to-talk, half-duplex). */
  gate?: (captured: Buffer) => boolean;
  /**
   * Told about each chunk of audio as it goes out (the recording's user channel), with the
   * append that carried it: none when the socket was closed or backed up and it was dropped.
   */
  onSent?: (pcm: Buffer, sent: ClientEventOf<'input_audio_buffer.append'> | undefined) => void;
  /** Told about each captured chunk, sent or not (level meter, push-to-talk). */
  onCaptured?: (pcm: Buffer, sent: boolean) => void;
  /**
   * Rewrites captured audio (an echo canceller, the residual-echo gate). Given every
   * chunk, sent or not, so a canceller keeps learning while the microphone is closed;
   * not chunks that arrive late (held while the session was not ready): nothing played
   * then, and a canceller places each chunk in time by when it arrives.
   */
  filterCaptured?: (pcm: Buffer) => Buffer;
  /**
   * Captured audio is sent in appends of at least this many ms. Every append costs the same
   * (base64, JSON, a WebSocket frame) however small it is; 40 ms halves that cost against
   * 20 ms device blocks and adds at most 20 ms before the server hears speech. Not the
   * first append: it goes with the first chunk however short (SoX's first is 35 ms when
   * unbuffered), so the start waits for no second one.
   */
  minAppendMs?: number;
  /**
   * While the microphone is quiet and no turn waits on it (see QuietAppendHold), appends
   * gather at least this many ms instead (0: never). Not the first append either.
   */
  quietAppendMs?: number;
  /** A device failed: the source ('input'), or the speaker or a file ('output'). */
  onDeviceError?: (error: Error, device: 'input' | 'output') => void;
  /** A device process died and was replaced; the conversation goes on. */
  onDeviceRestart?: (reason: string) => void;
  /**
   * Told about each delta of assistant audio with the decoded PCM that went to the speaker
   * and files: none when the delta was dropped because its item was interrupted.
   */
  onAssistantAudio?: (delta: ServerEventOf<'response.output_audio.delta'>, pcm: Buffer | undefined) => void;
}

/**
 * Moves audio between devices and the session: captured PCM is encoded and appended,
 * assistant audio deltas are decoded and handed to every sink (speaker, output file).
 * Deltas of a response the user interrupted are dropped, so a voice that was stopped
 * stays stopped even while late deltas keep arriving.
 */
export class AudioBridge {
  private readonly interruptedItems = new Set<string>();
  private pendingCapture: Buffer[] = [];
  private pendingBytes = 0;
  private capturing = true;
  /** Until the first append, captured audio goes out as soon as there is any. */
  private appendedYet = false;
  private readonly quiet: QuietAppendHold | undefined;
  private readonly quietAppendMs: number;

  constructor(private readonly options: AudioBridgeOptions) {
    const { session, source } = options;
    this.quietAppendMs = options.quietAppendMs ?? DEFAULT_QUIET_APPEND_MS;
    this.quiet = source && this.quietAppendMs > 0 ? new QuietAppendHold(source.format.sampleRate, () => session.state.userSpeaking) : undefined;
    session.on('server-event', (event) => this.onServerEvent(event));
    if (source) {
      source.on('data', (pcm: Buffer, late?: boolean) => this.onCaptured(pcm, late === true));
      source.on('end', () => {
        this.flushCapture();
        options.onSourceEnd?.();
      });
      source.on('error', (error: Error) => options.onDeviceError?.(error, 'input'));
      source.on('restart', (reason: string) => options.onDeviceRestart?.(reason));
    }
    for (const sink of this.allSinks()) {
      sink.on('error', (error: Error) => options.onDeviceError?.(error, 'output'));
      sink.on('restart', (reason: string) => options.onDeviceRestart?.(reason));
    }
  }

  start(): void {
    this.options.source?.start();
  }

  /** Stops sending captured audio (budget reached, shutting down) without stopping the device. */
  stopCapturing(): void {
    this.capturing = false;
  }

  /** Sends wire audio that did not come from the source (e.g. silence after a file ends). */
  sendPcm(pcm: Buffer): void {
    if (!this.capturing) return;
    this.appendedYet = true;
    const sent = this.options.session.appendAudioEvent(this.options.codec.encode(pcm));
    this.options.onSent?.(pcm, sent);
  }

  /** Silences the assistant now and ignores the rest of the given item's audio. */
  interrupt(itemId?: string): void {
    if (itemId) this.interruptedItems.add(itemId);
    this.options.speaker?.clear();
  }

  async close(): Promise<void> {
    this.capturing = false;
    await this.options.source?.stop();
    await Promise.all(this.allSinks().map((sink) => sink.close()));
  }

  private onCaptured(pcm: Buffer, late: boolean): void {
    const filtered = this.options.filterCaptured && !late ? this.options.filterCaptured(pcm) : pcm;
    const open = this.options.gate?.(pcm) ?? true;
    if (open) this.queueForSending(filtered);
    else this.dropPendingCapture();
    this.options.onCaptured?.(pcm, open && this.capturing);
  }

  private queueForSending(pcm: Buffer): void {
    this.pendingCapture.push(pcm);
    this.pendingBytes += pcm.length;
    const minimumMs = this.quiet?.mayWait(pcm) ? this.quietAppendMs : this.options.minAppendMs ?? DEFAULT_MIN_APPEND_MS;
    if (this.appendedYet && this.pendingBytes < this.bytesOf(minimumMs)) return;
    this.flushCapture();
  }

  /** Sends what is held back now (the source ended, or push-to-talk commits: the last samples go first). */
  flushCapture(): void {
    if (this.pendingBytes === 0) return;
    const chunk = this.pendingCapture.length === 1 ? this.pendingCapture[0]! : Buffer.concat(this.pendingCapture);
    this.dropPendingCapture();
    this.sendPcm(chunk);
  }

  private bytesOf(ms: number): number {
    const rate = this.options.source?.format.sampleRate ?? 24000;
    return (ms * rate * 2) / 1000;
  }

  private dropPendingCapture(): void {
    this.pendingCapture = [];
    this.pendingBytes = 0;
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.type !== 'response.output_audio.delta') return;
    const dropped = this.interruptedItems.has(event.item_id) || (this.options.plays && !this.options.plays(event.response_id));
    if (dropped) return this.options.onAssistantAudio?.(event, undefined);
    const pcm = this.options.codec.decode(Buffer.from(event.delta, 'base64'));
    this.options.speaker?.writeItem(event.item_id, pcm);
    this.options.onAssistantAudio?.(event, pcm);
    for (const sink of this.options.sinks) sink.write(pcm);
  }

  private allSinks(): AudioSink[] {
    return this.options.speaker ? [this.options.speaker, ...this.options.sinks] : this.options.sinks;
  }
}
