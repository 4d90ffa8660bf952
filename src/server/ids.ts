import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export type IdKind = 'event' | 'sess' | 'item' | 'resp' | 'call' | 'conv';

/**
 * Ids shaped like the service's (`event_` + 21 base62 characters) so clients that
 * pattern-match or length-check them treat ours the same way.
 */
export function newId(kind: IdKind): string {
  const bytes = randomBytes(21);
  let suffix = '';
  // The slight modulo bias is harmless: ids need to be unique, not uniformly spread.
  for (const byte of bytes) suffix += ALPHABET[byte % 62];
  return `${kind}_${suffix}`;
}
