import type { RealtimeSession } from './session.js';
import type { ServerEvent } from '../protocol/events.js';

const CHUNK_MS = 20;
/** Longest silence sent after a file before kaiwa commits the turn itself. */
const MAX_PADDING_MS = 3000;

/**
 * A WAV file ends abruptly, unlike a person who stops talking and stays quiet. With
 * server VAD, kaiwa keeps sending silence in real time (as a microphone would) until the
 * server closes the turn; if it never does, or without VAD, it commits and asks for a
 * response itself. Not when the server closed the file's last turn already and heard no
 * speech since (a file that ends in silence): that commit would be of silence alone, an
 * empty turn the service refuses or answers for nothing. The file's own samples are
 * always sent unchanged before the silence.
 */
export class FileEndPadding {
  private timer: NodeJS.Timeout | undefined;
  private sentMs = 0;
  private turnClosed = false;
  /** The server committed a turn and has heard no speech since: what it holds is silence. */
  private onlySilenceSinceCommit = false;

  constructor(
    private readonly session: RealtimeSession,
    private readonly sendPcm: (pcm: Buffer) => void,
    private readonly sampleRate: number,
    private readonly serverDetectsTurns: boolean,
  ) {
    session.on('server-event', (event) => this.onServerEvent(event));
  }

  start(): void {
    if (!this.serverDetectsTurns) return this.commitTurn();
    this.turnClosed = false;
    const chunk = Buffer.alloc(Math.round((this.sampleRate * CHUNK_MS) / 1000) * 2);
    const step = (): void => {
      if (this.turnClosed) return this.stop();
      if (this.sentMs >= MAX_PADDING_MS) {
        this.stop();
        if (!this.onlySilenceSinceCommit) this.commitTurn();
        return;
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

  private commitTurn(): void {
    this.session.commitAudio();
    this.session.createResponse();
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.type === 'input_audio_buffer.committed' || event.type === 'response.created') this.turnClosed = true;
    if (event.type === 'input_audio_buffer.committed') this.onlySilenceSinceCommit = true;
    if (event.type === 'input_audio_buffer.speech_started') this.onlySilenceSinceCommit = false;
  }
}
