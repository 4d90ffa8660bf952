import { fstatSync } from 'node:fs';

/**
 * Whether two streams end in the same file, pipe or terminal (`2>&1`, `|&`, a plain terminal):
 * a line written to one then lands inside a line still open on the other.
 */
export function sameDestination(a: NodeJS.WritableStream, b: NodeJS.WritableStream): boolean {
  const first = descriptorOf(a);
  const second = descriptorOf(b);
  if (first === undefined || second === undefined) return false;
  try {
    const [x, y] = [fstatSync(first), fstatSync(second)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function descriptorOf(stream: NodeJS.WritableStream): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : undefined;
}
