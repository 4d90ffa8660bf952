/**
 * `--replay-ignore` paths held to the cassette before the replay listens: a path that names
 * no field of any recorded client event (a typo, `item.outptu`; a beta name of a field the
 * cassette keeps in the GA shape, `session.voice`; a field the app no longer sends) would
 * ignore nothing, and a CI run would pass or fail for a reason its command line hides. It is
 * refused in one line, with the closest path the cassette has. A path matches when some
 * recorded client event of its scope has a field just there: `[*]` any index that is there,
 * a path into a JSON string a key of the JSON. Audio placeholders have nothing under them.
 * A field only the live app sends, never recorded, is a change to record anew, not to ignore.
 */
import { UsageError } from '../../errors.js';
import type { RecordedEvent } from '../../recording/recording-files.js';
import { formatFieldPath, type PathStep } from './field-path.js';
import { isIgnored, type IgnoredField } from './ignored-fields.js';

/** Throws a UsageError naming the first field that matches nothing in `events` (the recorded client events). */
export function checkIgnoredFields(fields: readonly IgnoredField[], events: readonly RecordedEvent[]): void {
  const fieldsByType = new Map<string, PathStep[][]>();
  for (const event of events) {
    const list = fieldsByType.get(event.type) ?? [];
    fieldsByType.set(event.type, list);
    collect(event, [], list);
  }
  for (const field of fields) {
    const problem = mismatch(field, fieldsByType);
    if (problem) throw new UsageError(problem);
  }
}

function mismatch(field: IgnoredField, fieldsByType: ReadonlyMap<string, PathStep[][]>): string | undefined {
  const names = (steps: readonly PathStep[]): boolean => steps.length === field.steps.length && isIgnored(field, steps);
  const { eventType } = field;
  if (eventType !== undefined && !fieldsByType.has(eventType)) {
    return `${field.spec} names an event type the cassette's client never sent (it sent ${[...fieldsByType.keys()].join(', ')})`;
  }
  const inScope = eventType === undefined ? [...fieldsByType.values()].flat() : fieldsByType.get(eventType)!;
  if (inScope.some(names)) return undefined;
  const problem = `${field.spec} matches no field of the cassette's ${eventType ?? 'client'} events`;
  const elsewhere = [...fieldsByType].filter(([type, list]) => type !== eventType && list.some(names)).map(([type]) => type);
  if (elsewhere.length > 0) return `${problem} (${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'has' : 'have'} it)`;
  const closest = closestPath(field, inScope);
  return closest === undefined ? problem : `${problem} (did you mean ${eventType === undefined ? '' : `${eventType}:`}${closest}?)`;
}

/** The path in `candidates` nearest to the field's as written (a slip of a few letters), else one ending in the same key. */
function closestPath(field: IgnoredField, candidates: readonly PathStep[][]): string | undefined {
  const anyIndex = field.steps.some((step) => 'index' in step && step.index === '*');
  const shown = new Map<string, PathStep[]>();
  for (const steps of candidates) {
    const written = anyIndex ? steps.map((step): PathStep => ('index' in step ? { index: '*' } : step)) : steps;
    shown.set(plain(written), written);
  }
  const wanted = plain(field.steps);
  let best: { distance: number; steps: PathStep[] } | undefined;
  for (const [text, steps] of shown) {
    const distance = editDistance(wanted, text);
    if (!best || distance < best.distance) best = { distance, steps };
  }
  if (best && best.distance <= Math.max(2, Math.floor(wanted.length / 4))) return formatFieldPath(best.steps);
  const last = field.steps.at(-1)!;
  if (!('key' in last)) return undefined;
  const sameKey = [...shown.values()].filter((steps) => { const end = steps.at(-1)!; return 'key' in end && end.key === last.key; });
  sameKey.sort((a, b) => editDistance(wanted, plain(a)) - editDistance(wanted, plain(b)));
  return sameKey[0] && formatFieldPath(sameKey[0]);
}

/** Every field of `value` (and of the JSON a string of it holds), as paths from the event's top. */
function collect(value: unknown, steps: PathStep[], into: PathStep[][]): void {
  if (steps.length > 0) into.push(steps);
  if (Array.isArray(value)) value.forEach((item, index) => collect(item, [...steps, { index }], into));
  else if (typeof value === 'object' && value !== null && !isPlaceholder(value)) {
    for (const [key, item] of Object.entries(value)) collect(item, [...steps, { key }], into);
  } else if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    const json = jsonIn(value);
    if (json !== undefined) collectUnder(json, steps, into);
  }
}

/** What a JSON string holds, below the string's own path (the string itself is already counted). */
function collectUnder(json: object, steps: PathStep[], into: PathStep[][]): void {
  if (Array.isArray(json)) json.forEach((item, index) => collect(item, [...steps, { index }], into));
  else for (const [key, item] of Object.entries(json)) collect(item, [...steps, { key }], into);
}

function jsonIn(text: string): object | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The recorder's stand-in for audio: `{bytes, wavOffsetMs}`. */
function isPlaceholder(value: object): boolean {
  const record = value as Record<string, unknown>;
  return Object.keys(record).length === 2 && typeof record.bytes === 'number' && 'wavOffsetMs' in record;
}

/** A path for comparing spellings: keys dotted as they are, quoted or not. */
function plain(steps: readonly PathStep[]): string {
  return steps.map((step) => ('key' in step ? `.${step.key}` : `[${step.index}]`)).join('').slice(1);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
