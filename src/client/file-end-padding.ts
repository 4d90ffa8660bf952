import type { RealtimeSession } from './session.js';
import type { ServerEvent } from '../protocol/events.js';

const CHUNK_MS = 20;
/** Longest silence sent after a file before kaiwa commits the turn itself. */
const MAX_PADDING_MS = 3000;
/**
 * Silence after the file in which speech at its very end would have been heard: the server
 * flags speech a few hundred ms after it starts.
 */
const SETTLE_MS = 1000;

/**
 * A WAV file ends abruptly, unlike a person who stops talking and stays quiet. With
 * server VAD, kaiwa keeps sending silence in real time (as a microphone would) until the
 * server has closed and answers the file's last turn and a second of silence brought no
 * more speech; if the server never closes it, or without VAD, kaiwa commits and asks for
 * a response itself. Not when the server closed the last turn already and heard no
 * speech since (a file that ends in silence): that commit would be of silence alone, an
 * empty turn the service refuses or answers for nothing. The file's own samples are
 * always sent unchanged before the silence. `onFinished` is told once nothing more will
 * come of the file: its last turn is answered or asked for, or there was none left.
 */
export class FileEndPadding {
  private timer: NodeJS.Timeout | undefined;
  private sentMs = 0;
  /** The server committed a turn and has heard no speech since: what it holds is silence. */
  private onlySilenceSinceCommit = false;
  /** A response was created since the server's last commit: the turn it closed is being answered. */
  private answeredSinceCommit = false;
  private finished = false;

  constructor(
    private readonly session: RealtimeSession,
    private readonly sendPcm: (pcm: Buffer) => void,
    private readonly sampleRate: number,
    private readonly serverDetectsTurns: boolean,
    private readonly onFinished: () => void = () => undefined,
  ) {
    session.on('server-event', (event) => this.onServerEvent(event));
  }

  start(): void {
    if (!this.serverDetectsTurns) return this.commitTurn();
    const chunk = Buffer.alloc(Math.round((this.sampleRate * CHUNK_MS) / 1000) * 2);
    const step = (): void => {
      if (this.settled()) {
        this.stop();
        return this.finish();
      }
      if (this.sentMs >= MAX_PADDING_MS) {
        this.stop();
        if (this.onlySilenceSinceCommit) return this.finish();
        return this.commitTurn();
      }
      this.sendPcm(chunk);
      this.sentMs += CHUNK_MS;
      this.timer = setTimeout(step, CHUNK_MS);
    };
    this.timer = setTimeout(step, CHUNK_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The server closed the file's last turn and answers it, and the silence after the file brought no more speech. */
  private settled(): boolean {
    return this.onlySilenceSinceCommit && this.answeredSinceCommit && this.sentMs >= SETTLE_MS;
  }

  private commitTurn(): void {
    this.session.commitAudio();
    this.session.createResponse();
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished();
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.type === 'input_audio_buffer.committed') {
      this.onlySilenceSinceCommit = true;
      this.answeredSinceCommit = false;
    }
    if (event.type === 'input_audio_buffer.speech_started') this.onlySilenceSinceCommit = false;
    if (event.type === 'response.created') this.answeredSinceCommit = true;
  }
}
