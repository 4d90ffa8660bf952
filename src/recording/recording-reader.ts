import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { CONVERSATION_WAV, EVENTS_JSONL, META_RECORDING_STARTED, type EventRecord } from './recording-files.js';

export interface Recording {
  dir: string;
  /** The lines of events.jsonl as written, whole ones only. */
  lines: string[];
  records: EventRecord[];
  /** conversation.wav, when the directory has one. */
  wavPath: string | undefined;
  model: string | undefined;
  /** The protocol of a recording of the wire (its frames as they crossed: 'live'); undefined for kaiwa's own events. */
  protocol: string | undefined;
  /** Lines that were not JSON records (a line cut off by a crash, an edit gone wrong). */
  skippedLines: number;
}

/**
 * Reads a `--record` directory. A bad path is the user's mistake and gets one line
 * saying what is wrong; a damaged line inside events.jsonl is skipped, because a
 * recording cut short is still worth replaying.
 */
export function readRecording(dir: string): Recording {
  checkDirectory(dir);
  const eventsPath = join(dir, EVENTS_JSONL);
  let text: string;
  try {
    text = readFileSync(eventsPath, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${eventsPath}: ${describeFileError(error)}`);
  }
  const lines: string[] = [];
  const records: EventRecord[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const record = parseRecord(line);
    if (record) {
      lines.push(line);
      records.push(record);
    } else {
      skippedLines += 1;
    }
  }
  const wavPath = join(dir, CONVERSATION_WAV);
  const started = records.find((r) => r.event.type === META_RECORDING_STARTED);
  const model = typeof started?.event.model === 'string' ? started.event.model : undefined;
  const protocol = started?.event.events === 'wire' && typeof started.event.protocol === 'string' ? started.event.protocol : undefined;
  return { dir, lines, records, wavPath: existsSync(wavPath) ? wavPath : undefined, model, protocol, skippedLines };
}

function checkDirectory(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new UsageError(`no recording at ${dir}: ${describeFileError(error)}`);
  }
  if (!isDirectory) throw new UsageError(`${dir} is a file; pass the directory that was given to --record`);
  if (!existsSync(join(dir, EVENTS_JSONL))) {
    throw new UsageError(`${dir} is not a kaiwa recording: it has no ${EVENTS_JSONL}`);
  }
}

function parseRecord(line: string): EventRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<EventRecord>;
    const event = value.event as { type?: unknown } | undefined;
    if (typeof value.t !== 'number' || typeof event?.type !== 'string') return undefined;
    return value as EventRecord;
  } catch {
    return undefined;
  }
}
