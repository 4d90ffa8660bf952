/**
 * Where a live client event differs from the one a cassette recorded: the first field,
 * as a path (`item.content[0].text`), with both values. Ids are left out (each run makes
 * its own; id-map.ts ties them together) and so is audio, which the recording keeps only
 * as a placeholder of its size.
 */
import { ID_KEYS } from './id-map.js';

export interface FieldDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * `sameId` says whether a recorded string and a live one are the same id of each run (an id
 * copied into another field: kaiwa tags its response.create's metadata with the event's id).
 */
export function firstDifference(recorded: unknown, live: unknown, sameId: SameId = () => false, path = ''): FieldDifference | undefined {
  if (isPlaceholder(recorded)) return undefined;
  if (Array.isArray(recorded) && Array.isArray(live)) {
    for (let i = 0; i < Math.max(recorded.length, live.length); i++) {
      const found = firstDifference(recorded[i], live[i], sameId, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isRecord(recorded) && isRecord(live)) {
    const keys = new Set([...Object.keys(recorded), ...Object.keys(live)]);
    for (const key of keys) {
      if (ID_KEYS.has(key)) continue;
      const found = firstDifference(recorded[key], live[key], sameId, path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.is(recorded, live) || (typeof recorded === 'string' && typeof live === 'string' && sameId(recorded, live))) return undefined;
  return { path: path || '(event)', expected: recorded, actual: live };
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
