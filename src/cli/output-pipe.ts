/**
 * kaiwa's standard output and error as the ends of a pipe. On Linux Node writes to a pipe
 * asynchronously: what the reader has not taken yet waits in the process, and process.exit
 * drops it (`kaiwa … | less` lost the end of the transcript). And a reader that goes away
 * (`kaiwa … | head -1`) makes the next write fail with EPIPE, which no one listened for: it
 * was reported as a stray error, with its errno code, and exited 1.
 */

type OutputStream = NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean };

/**
 * Calls `closed` once, when the program reading stdout or stderr has gone away (or either
 * fails otherwise: nothing more can be shown there). Later writes to it are dropped quietly.
 */
export function whenOutputCloses(streams: readonly OutputStream[], closed: () => void): void {
  let told = false;
  for (const stream of streams) {
    stream.on('error', () => {
      if (told) return;
      told = true;
      closed();
    });
  }
}

/** Resolves once everything written to `stream` so far has been handed to the system (at once for a file or terminal). */
export function written(stream: OutputStream): Promise<void> {
  if (stream.destroyed || !stream.writableLength) return Promise.resolve();
  // Write callbacks run in order: this one once every earlier write is through (or failed).
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** process.exit once what was written to stdout and stderr has gone out, so a slow reader still gets all of it. */
export async function exitWhenWritten(code: number): Promise<never> {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}
