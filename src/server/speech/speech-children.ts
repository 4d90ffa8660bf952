/**
 * Every espeak-ng and pocketsphinx process kaiwa serve starts is registered here so none
 * outlives the server: espeak-ng dies of SIGPIPE and pocketsphinx_batch reads end-of-file
 * on its control list when kaiwa dies without running its exit handlers.
 */
import type { ChildProcess } from 'node:child_process';
import { ChildRegistry } from '../../child-registry.js';

const speechChildren = new ChildRegistry();

export function trackSpeechChild(child: ChildProcess): void {
  speechChildren.track(child);
}

export function killAllSpeechChildren(): void {
  speechChildren.killAll();
}

/** PIDs of speech processes still running (for tests that check nothing is left behind). */
export function liveSpeechPids(): number[] {
  return speechChildren.livePids();
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
