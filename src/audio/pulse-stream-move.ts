import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Moves a running recording onto another PulseAudio source, without stopping it: the
 * recording process's stream (found by its process id) is handed to `source` by the sound
 * server, so not a sample is lost. pactl's listing is read in the C locale (its headings are
 * translated otherwise). Rejects if the process has no recording stream or the server refuses.
 */
export async function moveRecording(pid: number, source: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const pactlEnv = { ...env, LC_ALL: 'C' };
  const { stdout } = await run('pactl', ['list', 'source-outputs'], { env: pactlEnv });
  const index = sourceOutputOf(stdout, pid);
  if (index === undefined) throw new Error(`process ${pid} has no recording stream on the sound server`);
  await run('pactl', ['move-source-output', String(index), source], { env: pactlEnv });
}

/** The index of the recording stream that process `pid` opened, from `pactl list source-outputs`. */
export function sourceOutputOf(listing: string, pid: number): number | undefined {
  const blocks = listing.split(/^Source Output #/m).slice(1);
  const ours = blocks.find((block) => block.includes(`application.process.id = "${pid}"`));
  return ours === undefined ? undefined : Number.parseInt(ours, 10);
}
