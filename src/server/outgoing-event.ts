import type { ServerEvent } from '../protocol/events.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A server event before the session stamps its `event_id`. */
export type OutgoingEvent = DistributiveOmit<ServerEvent, 'event_id'>;

/** Where a part of the session sends its events; the session adds ids and the dialect. */
export type Emit = (event: OutgoingEvent) => void;
