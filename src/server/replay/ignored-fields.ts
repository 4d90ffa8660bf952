/**
 * Fields of the client's events a replay does not compare (`kaiwa serve --replay-ignore`):
 * what an app makes anew on every run, a tool output holding the time, a date in the
 * instructions, an id of its own. A path names a field as the difference lines do
 * (`item.output`, `item.content[0].text`), `[*]` for any index, optionally scoped to one event
 * type (`conversation.item.create:item.output`); ignoring a field ignores all that is under
 * it. A path may go on into a string field that holds JSON (a tool's output is a JSON string):
 * `item.output.iso` ignores that key of the JSON and still compares the rest of it. A key that
 * is no identifier is quoted as the difference lines quote it (field-path.ts):
 * `item.output["utc-offset"]`.
 */
import { UsageError } from '../../errors.js';
import { parseFieldPath, type PathStep } from './field-path.js';

export type { PathStep } from './field-path.js';

export interface IgnoredField {
  /** As the user wrote it. */
  spec: string;
  /** Only in events of this type; undefined: in every event. */
  eventType: string | undefined;
  steps: readonly PathStep[];
}

/** `type:path`: an event type, then a colon; a colon inside a quoted key comes after a bracket. */
const SCOPED = /^([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*):(.*)$/s;

/** Parses `--replay-ignore` values: each comma-separated, every path checked; throws a UsageError naming the first malformed one. */
export function parseIgnoredFields(values: readonly string[]): IgnoredField[] {
  return values.flatMap((value) => value.split(',')).map((spec) => parseIgnoredField(spec.trim()));
}

export function parseIgnoredField(spec: string): IgnoredField {
  const scoped = SCOPED.exec(spec);
  const eventType = scoped?.[1];
  const steps = parseFieldPath(scoped ? scoped[2]! : spec);
  if (!steps) {
    throw new UsageError(`${JSON.stringify(spec)} is not a field path (write e.g. item.output, item.content[*].text, item.output.iso, item.output["utc-offset"] or conversation.item.create:item.output)`);
  }
  return { spec, eventType, steps };
}

/** The ignored fields that apply to events of `type`. */
export function ignoredIn(fields: readonly IgnoredField[], type: string): IgnoredField[] {
  return fields.filter((field) => field.eventType === undefined || field.eventType === type);
}

/** Whether `steps` (a field's place in an event) is what `field` names, or lies under it. */
export function isIgnored(field: IgnoredField, steps: readonly PathStep[]): boolean {
  return field.steps.length <= steps.length && leads(field, steps);
}

/** Whether `field` names something under `steps`: a path that goes on past this field. */
export function reachesBelow(field: IgnoredField, steps: readonly PathStep[]): boolean {
  return field.steps.length > steps.length && leads(field, steps);
}

/** Whether the field's path and `steps` agree as far as both go. */
function leads(field: IgnoredField, steps: readonly PathStep[]): boolean {
  const length = Math.min(field.steps.length, steps.length);
  for (let i = 0; i < length; i++) {
    const want = field.steps[i]!;
    const have = steps[i]!;
    if ('key' in want) {
      if (!('key' in have) || have.key !== want.key) return false;
    } else if (!('index' in have) || (want.index !== '*' && want.index !== have.index)) {
      return false;
    }
  }
  return true;
}
