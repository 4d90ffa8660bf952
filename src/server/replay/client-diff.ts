/**
 * Where a live client event differs from the one a cassette recorded: the first field,
 * as a path (`item.content[0].text`, `item.output["utc-offset"]`: field-path.ts), with both values. Ids are left out (each run makes
 * its own; id-map.ts ties them together) and so is audio, which the recording keeps only
 * as a placeholder of its size, and so are the fields the user said to ignore. Those that did
 * differ are told all through the event, also past its first difference.
 */
import { ID_KEYS } from './id-map.js';
import { withStep, type PathStep } from './field-path.js';
import { isIgnored, reachesBelow, type IgnoredField } from './ignored-fields.js';

export interface FieldDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface DiffOptions {
  /**
   * Whether a recorded string and a live one are the same id of each run (an id copied into
   * another field: kaiwa tags its response.create's metadata with the event's id).
   */
  sameId?: SameId;
  /** Fields not compared (see ignored-fields.ts): those that apply to this event's type. */
  ignore?: readonly IgnoredField[];
  /** Told the path of each ignored field that did differ. */
  onIgnored?: (path: string) => void;
}

interface Walk {
  sameId: SameId;
  ignore: readonly IgnoredField[];
  onIgnored: (path: string) => void;
}

export function firstDifference(recorded: unknown, live: unknown, options: DiffOptions = {}): FieldDifference | undefined {
  return walk(recorded, live, { sameId: options.sameId ?? (() => false), ignore: options.ignore ?? [], onIgnored: options.onIgnored ?? (() => undefined) }, '', []);
}

function walk(recorded: unknown, live: unknown, context: Walk, path: string, steps: readonly PathStep[]): FieldDifference | undefined {
  if (isPlaceholder(recorded)) return undefined;
  if (steps.length > 0 && context.ignore.some((field) => isIgnored(field, steps))) {
    if (walk(recorded, live, { ...context, ignore: [] }, path, steps)) context.onIgnored(path);
    return undefined;
  }
  // Past the first difference the walk goes on only to tell the ignored fields that differ.
  if (Array.isArray(recorded) && Array.isArray(live)) {
    let first: FieldDifference | undefined;
    for (let i = 0; i < Math.max(recorded.length, live.length) && !(first && context.ignore.length === 0); i++) {
      const step = { index: i };
      const found = walk(recorded[i], live[i], context, withStep(path, step), [...steps, step]);
      first ??= found;
    }
    return first;
  }
  if (isRecord(recorded) && isRecord(live)) {
    let first: FieldDifference | undefined;
    for (const key of new Set([...Object.keys(recorded), ...Object.keys(live)])) {
      if (first && context.ignore.length === 0) break;
      if (ID_KEYS.has(key)) continue;
      const step = { key };
      const found = walk(recorded[key], live[key], context, withStep(path, step), [...steps, step]);
      first ??= found;
    }
    return first;
  }
  // A string holding JSON (a tool's output) that an ignored path goes into: compared as the JSON it holds.
  if (typeof recorded === 'string' && typeof live === 'string' && recorded !== live && context.ignore.some((field) => reachesBelow(field, steps))) {
    const [recordedJson, liveJson] = [jsonIn(recorded), jsonIn(live)];
    if (recordedJson !== undefined && liveJson !== undefined) return walk(recordedJson, liveJson, context, path, steps);
  }
  if (Object.is(recorded, live) || (typeof recorded === 'string' && typeof live === 'string' && context.sameId(recorded, live))) return undefined;
  return { path: path || '(event)', expected: recorded, actual: live };
}

/** The object or array a string holds as JSON, or undefined. */
function jsonIn(text: string): object | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export type SameId = (recorded: string, live: string) => boolean;

/** A value as a short quote for a log line. */
export function quote(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The recorder's stand-in for audio: `{bytes, wavOffsetMs}`. */
function isPlaceholder(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 2 && typeof value.bytes === 'number' && 'wavOffsetMs' in value;
}
