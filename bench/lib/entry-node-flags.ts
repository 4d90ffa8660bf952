import { readFileSync } from 'node:fs';

/**
 * The Node flags a script's first line asks for (`#!/usr/bin/env -S node --flag …`, as
 * kaiwa's entry point does): what a user who runs `kaiwa` gets from the shebang, and what
 * the bench must pass too when it starts the script with `node` itself. None for a script
 * without them (the article's, the SDK client).
 */
export function entryNodeFlags(script: string): string[] {
  let firstLine: string;
  try {
    firstLine = readFileSync(script, 'utf8').slice(0, 200).split('\n')[0]!;
  } catch {
    return [];
  }
  const flags = /^#!\/usr\/bin\/env -S node((?:\s+--[\w-]+(?:=\S+)?)+)\s*$/.exec(firstLine)?.[1];
  return flags ? flags.trim().split(/\s+/) : [];
}

/** `script` with the flags its shebang asks for before it: what to give `node`. */
export const asEntry = (script: string): string[] => [...entryNodeFlags(script), script];
