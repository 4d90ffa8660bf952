/**
 * Finds Debian's pocketsphinx (0.8 / "5prealpha": the pocketsphinx_batch program and
 * the pocketsphinx-en-us model package). Nothing is downloaded: without them kaiwa
 * serve reports input transcription as failed.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { aptInstall } from '../../install-hint.js';

export interface PocketsphinxInstall extends PocketsphinxModel {
  binary: string;
}

export interface PocketsphinxModel {
  /** Acoustic model directory (mdef, means, …). */
  acousticModel: string;
  languageModel: string;
  dictionary: string;
}

export interface PocketsphinxLocations {
  /** Defaults to searching $PATH for pocketsphinx_batch. */
  binary?: string;
  /** Directory holding en-us/, en-us.lm.bin and cmudict-en-us.dict. */
  modelDir?: string;
}

export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const BATCH_PROGRAM = 'pocketsphinx_batch';

/** Resolves the install, or a one-line reason why it can't be used. */
export function findPocketsphinx(locations: PocketsphinxLocations = {}): PocketsphinxInstall | string {
  const binary = locations.binary ?? findOnPath(BATCH_PROGRAM);
  if (!binary || !isAccessible(binary, constants.X_OK)) {
    return `${BATCH_PROGRAM} is not installed (Debian/Ubuntu: ${aptInstall('pocketsphinx pocketsphinx-en-us')})`;
  }
  const model = findPocketsphinxModel(locations.modelDir);
  return typeof model === 'string' ? model : { binary, ...model };
}

/** The English model's files, or why they can't be used. */
export function findPocketsphinxModel(modelDir = DEFAULT_MODEL_DIR): PocketsphinxModel | string {
  const model = {
    acousticModel: join(modelDir, 'en-us'),
    languageModel: join(modelDir, 'en-us.lm.bin'),
    dictionary: join(modelDir, 'cmudict-en-us.dict'),
  };
  const missing = [join(model.acousticModel, 'mdef'), model.languageModel, model.dictionary].filter(
    (file) => !isAccessible(file, constants.R_OK),
  );
  if (missing.length > 0) {
    return `the pocketsphinx English model is missing (${missing.join(', ')}); ${aptInstall('pocketsphinx-en-us')}`;
  }
  return model;
}

export function findOnPath(program: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (isAccessible(candidate, constants.X_OK)) return candidate;
  }
  return undefined;
}

function isAccessible(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
