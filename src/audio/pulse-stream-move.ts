import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

type StreamKind = 'recording' | 'playback';

const PACTL: Record<StreamKind, { list: string; heading: RegExp; move: string }> = {
  recording: { list: 'source-outputs', heading: /^Source Output #/m, move: 'move-source-output' },
  playback: { list: 'sink-inputs', heading: /^Sink Input #/m, move: 'move-sink-input' },
};

/**
 * Moves a running recording (or playback) onto another PulseAudio source (or sink), without
 * stopping it: the process's stream (found by its process id) is handed over by the sound
 * server, so not a sample is lost. pactl's listing is read in the C locale (its headings are
 * translated otherwise). Rejects if the process has no such stream or the server refuses.
 */
export async function moveStream(kind: StreamKind, pid: number, device: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const pactl = PACTL[kind];
  const pactlEnv = { ...env, LC_ALL: 'C' };
  const { stdout } = await run('pactl', ['list', pactl.list], { env: pactlEnv });
  const index = streamOf(stdout, pactl.heading, pid);
  if (index === undefined) throw new Error(`process ${pid} has no ${kind} stream on the sound server`);
  await run('pactl', [pactl.move, String(index), device], { env: pactlEnv });
}

/** The index of the stream process `pid` opened, from a `pactl list source-outputs` (or sink-inputs) listing. */
export function streamOf(listing: string, heading: RegExp, pid: number): number | undefined {
  const blocks = listing.split(heading).slice(1);
  const ours = blocks.find((block) => block.includes(`application.process.id = "${pid}"`));
  return ours === undefined ? undefined : Number.parseInt(ours, 10);
}
