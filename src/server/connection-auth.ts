/**
 * What the upgrade request says: which credential it carries (the three places real
 * clients put a key), which dialect it speaks, and which subprotocol to answer with.
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DialectName } from '../protocol/dialect.js';

const KEY_SUBPROTOCOL = 'openai-insecure-api-key.';
const BETA_SUBPROTOCOL = 'openai-beta.realtime-v1';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function offeredSubprotocols(req: IncomingMessage): string[] {
  return (header(req, 'sec-websocket-protocol') ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** Every credential the client offered: `Authorization: Bearer`, `api-key`, or the key subprotocol. */
export function offeredCredentials(req: IncomingMessage): string[] {
  const credentials: string[] = [];
  const authorization = header(req, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer) credentials.push(bearer.trim());
  const apiKey = header(req, 'api-key');
  if (apiKey) credentials.push(apiKey.trim());
  for (const protocol of offeredSubprotocols(req)) {
    if (protocol.startsWith(KEY_SUBPROTOCOL)) credentials.push(protocol.slice(KEY_SUBPROTOCOL.length));
  }
  return credentials;
}

/** Compares digests so the time taken says nothing about how much of the token matched. */
export function isAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const expected = createHash('sha256').update(token).digest();
  return offeredCredentials(req).some((offered) => timingSafeEqual(createHash('sha256').update(offered).digest(), expected));
}

export function dialectOf(req: IncomingMessage): DialectName {
  const beta = /realtime=v1/i.test(header(req, 'openai-beta') ?? '') || offeredSubprotocols(req).includes(BETA_SUBPROTOCOL);
  return beta ? 'beta' : 'ga';
}

/**
 * Browsers fail a handshake whose offered subprotocols get no answer, so answer `realtime`
 * (what OpenAI's clients offer) or else any offered protocol that is not the key itself.
 */
export function chooseSubprotocol(protocols: ReadonlySet<string>): string | false {
  if (protocols.has('realtime')) return 'realtime';
  for (const protocol of protocols) {
    if (!protocol.startsWith(KEY_SUBPROTOCOL)) return protocol;
  }
  return false;
}
