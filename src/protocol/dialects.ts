import type { Dialect } from './dialect.js';
import { gaDialect } from './ga-dialect.js';
import { betaDialect } from './beta-dialect.js';
import type { ProtocolName } from './protocols.js';

/** The Realtime dialect a session speaks; over Live it is GA (LiveTransport translates at the socket). */
export function dialectFor(name: ProtocolName): Dialect {
  return name === 'beta' ? betaDialect : gaDialect;
}
