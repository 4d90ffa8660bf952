/**
 * `kaiwa serve --replay DIR`: every connection replays the server side of a `--record DIR`
 * recording (see replay-session.ts). Plug `createSession` into startRealtimeServer. DIR is
 * one recording (events.jsonl), or the cassettes `kaiwa serve --record` wrote (session-1,
 * session-2, …): the nth connection replays session-n (the last one again beyond them).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { SessionFactory } from '../realtime-server.js';
import type { ServerSessionOptions } from '../server-session.js';
import type { Transport } from '../../protocol/transport.js';
import { loadReplayScript, openConversationWav, type ReplayScript } from './replay-script.js';
import { ReplaySession, type ReplayStats, type ReplayTiming } from './replay-session.js';
import type { WavChannelReader } from './wav-channel-reader.js';
import type { IgnoredField } from './ignored-fields.js';
import type { RecordedEvent } from '../../recording/recording-files.js';

export interface ReplaySourceOptions {
  /** 'recorded' (default): server events keep their recorded delays; 'immediate': no waiting. */
  timing?: ReplayTiming;
  /** Fields of the client's events not compared with the recording (`--replay-ignore`). */
  ignore?: readonly IgnoredField[];
  /** Told as each connection ends: how the client kept to the cassette. */
  onEnd?: (stats: ReplayStats) => void;
}

interface Cassette {
  /** How the log names it: session-2 of DIR, or DIR itself when it is one recording. */
  name: string;
  script: ReplayScript;
  wav: WavChannelReader | undefined;
}

export class ReplaySource {
  private readonly cassettes: Cassette[];
  private readonly replays: ReplaySession[] = [];
  readonly timing: ReplayTiming;

  constructor(scripts: ReplayScript | readonly ReplayScript[], private readonly options: ReplaySourceOptions = {}) {
    this.timing = options.timing ?? 'recorded';
    const list: readonly ReplayScript[] = Array.isArray(scripts) ? scripts : [scripts];
    this.cassettes = list.map((script: ReplayScript) => ({ name: list.length > 1 ? basename(script.dir) : script.dir, script, wav: openConversationWav(script.dir) }));
  }

  static load(dir: string, options: ReplaySourceOptions = {}): ReplaySource {
    const sessions = existsSync(join(dir, 'events.jsonl')) ? [] : cassetteDirs(dir);
    return new ReplaySource(sessions.length > 0 ? sessions.map((sub) => loadReplayScript(sub)) : loadReplayScript(dir), options);
  }

  /** The (first) recording replayed. */
  get script(): ReplayScript {
    return this.cassettes[0]!.script;
  }

  readonly createSession: SessionFactory = (transport: Transport, options: ServerSessionOptions) => {
    const { script, wav } = this.cassettes[Math.min(this.replays.length, this.cassettes.length - 1)]!;
    const session = new ReplaySession(transport, {
      opening: script.opening, steps: script.steps, wav,
      dialect: options.dialect, logger: options.logger, timing: this.timing,
      ...(this.options.ignore ? { ignore: this.options.ignore } : {}),
      ...(this.options.onEnd ? { onEnd: this.options.onEnd } : {}),
    });
    this.replays.push(session);
    return session;
  };

  /** The client events every cassette recorded, in order. */
  get clientEvents(): RecordedEvent[] {
    return this.cassettes.flatMap(({ script }) => script.steps.map((step) => step.clientEvent));
  }

  /** What replays though a recording was cut short, one line each. */
  get warnings(): string[] {
    return this.cassettes.flatMap(({ script }) => script.warnings ?? []);
  }

  /** Cassette sessions no connection has replayed yet (connections take them in order). */
  get unused(): string[] {
    return this.cassettes.slice(this.replays.length).map(({ name }) => name);
  }

  /** What each connection so far replayed. */
  get sessions(): ReplayStats[] {
    return this.replays.map((session) => session.stats);
  }

  describe(): string {
    if (this.cassettes.length > 1) {
      return `replaying ${this.cassettes.length} cassettes (${this.cassettes.map(({ script }) => `${script.steps.length} client events`).join(', ')}), ${this.timing} timing`;
    }
    const { script, wav } = this.cassettes[0]!;
    const audio = wav ? 'audio from conversation.wav' : 'no conversation.wav: audio is silence';
    return `replaying ${script.dir}: ${script.steps.length} client events, ${script.serverEventCount} server events, ${audio}, ${this.timing} timing`;
  }

  close(): void {
    for (const { wav } of this.cassettes) wav?.close();
  }
}

/** session-1, session-2, … in number order; each must be a recording (loadReplayScript says which is not). */
function cassetteDirs(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const numbers = names.filter((name) => /^session-\d+$/.test(name)).map((name) => Number(name.slice(8))).sort((a, b) => a - b);
  // The nth connection replays session-n: a missing one would shift every later session onto the wrong connection.
  const missing = numbers.findIndex((number, index) => number !== index + 1);
  if (missing >= 0) throw new UsageError(`cannot replay ${dir}: it has session-${numbers[missing]} but no session-${missing + 1}`);
  return numbers.map((number) => join(dir, `session-${number}`));
}
