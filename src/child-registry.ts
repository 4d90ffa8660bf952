import type { ChildProcess } from 'node:child_process';

/**
 * The helper processes one part of kaiwa started (SoX, espeak-ng, pocketsphinx), so none
 * outlives kaiwa. The last resort runs on 'exit' (process.exit(), or the event loop
 * running dry): 'exit' handlers must be synchronous, hence SIGKILL, not a graceful stop.
 * A death by signal runs no handlers, but then the children's pipes close and they stop.
 */
export class ChildRegistry {
  private readonly live = new Set<ChildProcess>();
  private exitHookInstalled = false;

  track(child: ChildProcess): void {
    if (child.pid === undefined) return;
    if (!this.exitHookInstalled) {
      process.on('exit', () => this.killAll());
      this.exitHookInstalled = true;
    }
    this.live.add(child);
    child.once('exit', () => this.live.delete(child));
  }

  killAll(): void {
    for (const child of this.live) child.kill('SIGKILL');
    this.live.clear();
  }

  /** PIDs still running (for tests that check nothing is left behind). */
  livePids(): number[] {
    return [...this.live].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }
}
