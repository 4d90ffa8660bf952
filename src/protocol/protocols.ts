import { DIALECT_NAMES, type DialectName } from './dialect.js';

/**
 * The protocols kaiwa speaks: the Realtime API's two dialects, and GPT-Live, a protocol
 * of its own that kaiwa translates to the same GA event model at the connection's edge.
 */
export type ProtocolName = DialectName | 'live';
export const PROTOCOL_NAMES: readonly ProtocolName[] = [...DIALECT_NAMES, 'live'];

/** The Realtime dialect kaiwa's session speaks over a connection of this protocol (Live's edge speaks GA). */
export function sessionDialectOf(protocol: ProtocolName): DialectName {
  return protocol === 'live' ? 'ga' : protocol;
}
