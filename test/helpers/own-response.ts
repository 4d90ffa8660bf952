import type { WireJson } from './scripted-server.js';

/**
 * A scripted turn as the answer to the client's own `response.create`: the service echoes
 * the request's `metadata` in the response, which is how kaiwa tells its answer apart from
 * responses others asked for.
 */
export function answering(request: WireJson, events: object[]): object[] {
  const metadata = (request.response as { metadata?: unknown } | undefined)?.metadata;
  if (metadata === undefined) return events;
  return events.map((event) => {
    const { type, response } = event as { type: string; response?: object };
    return (type === 'response.created' || type === 'response.done') && response ? { ...event, response: { ...response, metadata } } : event;
  });
}
