/**
 * Every espeak-ng and pocketsphinx process kaiwa serve starts is registered here so none
 * outlives the server. 'exit' handlers must be synchronous, hence SIGKILL. A death by
 * signal runs no handlers, but then the children's pipes close: espeak-ng dies of
 * SIGPIPE and pocketsphinx_batch reads end-of-file on its control list and exits.
 */
import type { ChildProcess } from 'node:child_process';

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

export function trackSpeechChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (!exitHookInstalled) {
    process.on('exit', killAllSpeechChildren);
    exitHookInstalled = true;
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export function killAllSpeechChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

/** PIDs of speech processes still running (for tests that check nothing is left behind). */
export function liveSpeechPids(): number[] {
  return [...liveChildren].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** Lets Node exit while an idle helper process waits for work, or holds it while work is pending. */
export function setChildReferenced(child: ChildProcess, referenced: boolean): void {
  const handles: unknown[] = [child, child.stdin, child.stdout, child.stderr];
  for (const handle of handles) {
    if (!isRefable(handle)) continue;
    if (referenced) handle.ref();
    else handle.unref();
  }
}

interface Refable {
  ref(): unknown;
  unref(): unknown;
}

/** Child stdio pipes are net.Sockets at run time but typed as plain streams. */
function isRefable(value: unknown): value is Refable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Refable>).ref === 'function' &&
    typeof (value as Partial<Refable>).unref === 'function'
  );
}
