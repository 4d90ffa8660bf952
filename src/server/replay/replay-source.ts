/**
 * `kaiwa serve --replay DIR`: every connection replays the server side of a `--record DIR`
 * recording (see replay-session.ts). Plug `createSession` into startRealtimeServer.
 */
import type { SessionFactory } from '../realtime-server.js';
import type { ServerSessionOptions } from '../server-session.js';
import type { Transport } from '../../protocol/transport.js';
import { loadReplayScript, openConversationWav, type ReplayScript } from './replay-script.js';
import { ReplaySession, type ReplayStats, type ReplayTiming } from './replay-session.js';
import type { WavChannelReader } from './wav-channel-reader.js';

export interface ReplaySourceOptions {
  /** 'recorded' (default): server events keep their recorded delays; 'immediate': no waiting. */
  timing?: ReplayTiming;
}

export class ReplaySource {
  private readonly wav: WavChannelReader | undefined;
  private readonly replays: ReplaySession[] = [];
  readonly timing: ReplayTiming;

  constructor(readonly script: ReplayScript, options: ReplaySourceOptions = {}) {
    this.timing = options.timing ?? 'recorded';
    this.wav = openConversationWav(script.dir);
  }

  static load(dir: string, options: ReplaySourceOptions = {}): ReplaySource {
    return new ReplaySource(loadReplayScript(dir), options);
  }

  readonly createSession: SessionFactory = (transport: Transport, options: ServerSessionOptions) => {
    const session = new ReplaySession(transport, {
      opening: this.script.opening, steps: this.script.steps, wav: this.wav,
      dialect: options.dialect, logger: options.logger, timing: this.timing,
    });
    this.replays.push(session);
    return session;
  };

  /** What each connection so far replayed. */
  get sessions(): ReplayStats[] {
    return this.replays.map((session) => session.stats);
  }

  describe(): string {
    const audio = this.wav ? 'audio from conversation.wav' : 'no conversation.wav: audio is silence';
    return `replaying ${this.script.dir}: ${this.script.steps.length} client events, ${this.script.serverEventCount} server events, ${audio}, ${this.timing} timing`;
  }

  close(): void {
    this.wav?.close();
  }
}
