import type { Dialect } from './dialect.js';
import type { ClientEvent, ServerEvent, WireEvent } from './events.js';

/** The current protocol: kaiwa's internal shapes are already GA, so nothing changes. */
export const gaDialect: Dialect = {
  name: 'ga',
  headers: {},
  clientToWire: (event) => event as unknown as WireEvent,
  clientFromWire: (wire) => wire as unknown as ClientEvent,
  serverToWire: (event) => [event as unknown as WireEvent],
  serverFromWire: (wire) => [wire as unknown as ServerEvent],
};
