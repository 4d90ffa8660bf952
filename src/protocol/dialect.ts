import type { ClientEvent, ServerEvent, WireEvent } from './events.js';

export type DialectName = 'ga' | 'beta';
export const DIALECT_NAMES: readonly DialectName[] = ['ga', 'beta'];

/**
 * Translates between the GA event shapes that kaiwa's code speaks and what a peer
 * expects on the wire. Both directions exist for both sides so the client and
 * `kaiwa serve` share one translation instead of two that could disagree.
 * Functions return arrays because one event in a dialect may be zero or two in another.
 */
export interface Dialect {
  readonly name: DialectName;
  /** Extra HTTP headers the client sends on the upgrade request. */
  readonly headers: Readonly<Record<string, string>>;
  clientToWire(event: ClientEvent): WireEvent;
  clientFromWire(wire: WireEvent): ClientEvent;
  serverToWire(event: ServerEvent): WireEvent[];
  serverFromWire(wire: WireEvent): ServerEvent[];
}
