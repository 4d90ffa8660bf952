/**
 * `kaiwa serve --record DIR`: one session written as the client's recordings are
 * (recording/session-recorder.ts): events.jsonl with both sides' events in the GA shape,
 * conversation.wav (the user's appended audio left, the assistant's right) and
 * transcript.md. `--replay` plays such a directory back and checks the client against it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { SessionRecorder } from '../../recording/session-recorder.js';
import { makeWritableFolder, removeUnusedFolders } from '../../recording/recording-folder.js';
import { bufferToInt16, int16ToBuffer } from '../../audio/pcm16.js';
import { resample } from '../../audio/resample.js';
import type { ClientEvent, ServerEvent, ServerEventOf } from '../../protocol/events.js';
import type { AudioFormatName } from '../../protocol/audio-format.js';
import { decodeWireAudio, pcmRateOf } from '../wire-audio.js';

const RATE = 24000;

/** What a session tells its cassette: every event either way, in the GA shape. */
export interface SessionTap {
  client(event: ClientEvent, inputFormat: AudioFormatName): void;
  server(event: ServerEvent, outputFormat: AudioFormatName): void;
  close(): Promise<void>;
}

export class SessionCassette implements SessionTap {
  private readonly recorder: SessionRecorder;

  constructor(readonly dir: string, model: string, onError: (error: Error) => void) {
    this.recorder = new SessionRecorder(dir, { sampleRate: RATE, model, secrets: [], free: true, onError });
  }

  client(event: ClientEvent, inputFormat: AudioFormatName): void {
    if (event.type !== 'input_audio_buffer.append') return this.recorder.clientEvent(event);
    this.recorder.userAudio(pcmAt24k(event.audio, inputFormat), event);
  }

  server(event: ServerEvent, outputFormat: AudioFormatName): void {
    if (event.type !== 'response.output_audio.delta') return this.recorder.serverEvent(event);
    this.recorder.assistantAudio(event as ServerEventOf<'response.output_audio.delta'>, pcmAt24k(event.delta, outputFormat));
  }

  close(): Promise<void> {
    return this.recorder.close();
  }
}

/** Numbered directories under DIR, one per connection: session-1, session-2, … */
export class CassetteRecorder {
  private count = 0;
  private readonly closing: Array<Promise<void>> = [];
  /** The folders made for DIR, top down: removed at the end if no session was recorded into them. */
  private readonly made: string[];

  /**
   * DIR is made ready now, before the server listens, as `kaiwa --record` makes its folder
   * before connecting: one that cannot be used is a UsageError (one line, exit 2), not a
   * server that tells each session it cannot record it.
   */
  constructor(readonly dir: string, private readonly onError: (error: Error) => void) {
    this.made = makeWritableFolder(dir);
    if (existsSync(join(dir, 'session-1'))) throw new UsageError(`${dir} already holds cassettes (session-1); choose a new directory for --record`);
  }

  /** The tap of the next session; one that records nothing when its directory cannot be made. */
  next(model: string): SessionTap {
    this.count += 1;
    let cassette: SessionCassette;
    try {
      cassette = new SessionCassette(join(this.dir, `session-${this.count}`), model, this.onError);
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
      return { client: () => undefined, server: () => undefined, close: async () => undefined };
    }
    return {
      client: (event, format) => cassette.client(event, format),
      server: (event, format) => cassette.server(event, format),
      close: () => {
        const closed = cassette.close();
        this.closing.push(closed);
        return closed;
      },
    };
  }

  /** Resolves once every cassette closed so far is on disk. */
  async flushed(): Promise<void> {
    await Promise.all(this.closing);
  }

  /** At the server's end: the folders made for DIR go again if they are still empty (no session came). */
  removeUnusedFolders(): void {
    removeUnusedFolders(this.made);
  }

  get sessions(): number {
    return this.count;
  }
}

function pcmAt24k(base64: string, format: AudioFormatName): Buffer {
  let pcm: Buffer;
  try {
    pcm = decodeWireAudio(base64, format, 'audio');
  } catch {
    return Buffer.alloc(0);
  }
  const rate = pcmRateOf(format);
  if (rate === RATE) return pcm;
  return int16ToBuffer(resample(bufferToInt16(pcm.subarray(0, pcm.length - (pcm.length % 2))), rate, RATE));
}
