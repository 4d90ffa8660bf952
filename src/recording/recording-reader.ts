import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { CONVERSATION_WAV, EVENTS_JSONL, META_RECORDING_STARTED, type EventRecord } from './recording-files.js';
import { own } from '../own-text.js';

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
  /** Those lines: where (1-based, blank lines counted) and what is wrong, for a reader that must not skip them. */
  damagedLines: DamagedLine[];
  /** The number of the last line when events.jsonl does not end with a newline: the recorder stopped while writing it. */
  unterminatedLine: number | undefined;
}

export interface DamagedLine {
  line: number;
  problem: string;
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
  const damagedLines: DamagedLine[] = [];
  const split = text.split('\n');
  split.forEach((line, index) => {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (typeof record === 'string') {
      damagedLines.push({ line: index + 1, problem: record });
    } else {
      lines.push(line);
      records.push(record);
    }
  });
  const wavPath = join(dir, CONVERSATION_WAV);
  const started = records.find((r) => r.event.type === META_RECORDING_STARTED);
  const model = typeof started?.event.model === 'string' ? started.event.model : undefined;
  const protocol = started?.event.events === 'wire' && typeof started.event.protocol === 'string' ? started.event.protocol : undefined;
  return {
    dir, lines, records, wavPath: existsSync(wavPath) ? wavPath : undefined, model, protocol,
    skippedLines: damagedLines.length, damagedLines, unterminatedLine: split.at(-1)!.trim() === '' ? undefined : split.length,
  };
}

function checkDirectory(dir: string): void {
  // An empty name (a variable that was never set) would be reported as a file named nothing.
  if (dir === '') throw new UsageError('no recording given (the directory name is empty); pass the directory that was given to --record');
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

/** The record, or what is wrong with the line. */
function parseRecord(line: string): EventRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON (cut off or edited)';
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<EventRecord>) : undefined;
  const event = record?.event as { type?: unknown } | undefined;
  if (typeof record?.t !== 'number' || typeof event?.type !== 'string') return own`not an event record ({"t": ms, "dir": …, "event": {"type": …}})`;
  return record as EventRecord;
}
