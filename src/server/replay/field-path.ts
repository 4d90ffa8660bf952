/**
 * How a replay names a field of a client event, in its difference lines and in
 * `--replay-ignore`: keys joined by dots, array indices in brackets (`item.content[0].text`).
 * A key that is no identifier (`utc-offset`, `a.b`, `0`) is written as a JSON string in
 * brackets, as JavaScript would: `item.output["utc-offset"]`. So a path copied from a
 * difference line names that field again.
 */

/** A step of a path: a key, an array index, or (in `--replay-ignore`) any index. */
export type PathStep = { key: string } | { index: number | '*' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One step as written: `.key` (not first), `key` (first), `[3]`, `[*]`, `["any key"]`. */
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|^([A-Za-z_][A-Za-z0-9_]*)|\[(\d+|\*)\]|\[("(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*")\]/y;

/** The path `text` names, or undefined when it is not one (it must start with a key). */
export function parseFieldPath(text: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  STEP.lastIndex = 0;
  while (STEP.lastIndex < text.length) {
    const at = STEP.lastIndex;
    const match = STEP.exec(text);
    if (!match) return undefined;
    const [, dotted, first, index, quoted] = match;
    if (first !== undefined && at !== 0) return undefined;
    if (dotted !== undefined && at === 0) return undefined;
    if (dotted !== undefined || first !== undefined) steps.push({ key: (dotted ?? first)! });
    else if (index !== undefined) steps.push({ index: index === '*' ? '*' : Number(index) });
    else steps.push({ key: JSON.parse(quoted!) as string });
  }
  return steps.length > 0 && 'key' in steps[0]! ? steps : undefined;
}

/** `steps` written as a path: `item.output["utc-offset"]`, `item.content[0].text`. */
export function formatFieldPath(steps: readonly PathStep[]): string {
  return steps.reduce<string>((path, step) => withStep(path, step), '');
}

/** `path` with one more step after it. */
export function withStep(path: string, step: PathStep): string {
  if ('index' in step) return `${path}[${step.index}]`;
  if (!IDENTIFIER.test(step.key)) return `${path}[${JSON.stringify(step.key)}]`;
  return path ? `${path}.${step.key}` : step.key;
}
