import type { Dialect } from './dialect.js';
import type { ClientEvent, ServerEvent, WireEvent } from './events.js';
import {
  betaResponseToGa, betaSessionToGa, gaResponseObjectToBeta, gaResponseToBeta, gaSessionObjectToBeta, gaSessionToBeta,
} from './beta-session.js';
import { itemToBeta, itemToGa, itemsToBeta, itemsToGa, partToBeta, partToGa } from './beta-items.js';

type Json = Record<string, unknown>;

/** Server event names renamed by GA; everything not listed kept its name. */
const GA_NAME_OF_BETA: Record<string, string> = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio.done': 'response.output_audio.done',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
  'response.audio_transcript.done': 'response.output_audio_transcript.done',
  'response.text.delta': 'response.output_text.delta',
  'response.text.done': 'response.output_text.done',
  'conversation.item.created': 'conversation.item.added',
};
const BETA_NAME_OF_GA: Record<string, string> = Object.fromEntries(
  Object.entries(GA_NAME_OF_BETA).map(([beta, ga]) => [ga, beta]),
);

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites the nested objects (session, response, item, part) that differ between dialects.
 * `fromServer`: GA → beta for what a server sends (session and response objects, not parameters).
 */
function convertBody(event: Json, toGa: boolean, fromServer = false): Json {
  const out: Json = { ...event };
  if (isJson(out.session)) {
    out.session = toGa ? betaSessionToGa(out.session) : fromServer ? gaSessionObjectToBeta(out.session) : gaSessionToBeta(out.session);
  }
  if (isJson(out.response)) {
    const response = toGa ? betaResponseToGa(out.response) : fromServer ? gaResponseObjectToBeta(out.response) : gaResponseToBeta(out.response);
    if ('output' in response) response.output = toGa ? itemsToGa(response.output) : itemsToBeta(response.output);
    out.response = response;
  }
  if (isJson(out.item)) out.item = toGa ? itemToGa(out.item) : itemToBeta(out.item);
  if (isJson(out.part)) out.part = toGa ? partToGa(out.part) : partToBeta(out.part);
  return out;
}

function rename(event: Json, names: Record<string, string>): Json {
  const type = event.type as string;
  return names[type] ? { ...event, type: names[type] } : event;
}

/**
 * The 2024 beta dialect (the seed article's). kaiwa's code only ever sees GA shapes;
 * this adapter rewrites names and nesting at the socket.
 */
export const betaDialect: Dialect = {
  name: 'beta',
  headers: { 'OpenAI-Beta': 'realtime=v1' },

  clientToWire(event: ClientEvent): WireEvent {
    return convertBody(event as unknown as Json, false) as WireEvent;
  },

  clientFromWire(wire: WireEvent): ClientEvent {
    return convertBody(wire, true) as unknown as ClientEvent;
  },

  serverToWire(event: ServerEvent): WireEvent[] {
    // The beta announced an item once (`created`); GA's `added` maps to it, `done` has no twin.
    if (event.type === 'conversation.item.done') return [];
    return [rename(convertBody(event as unknown as Json, false, true), BETA_NAME_OF_GA) as WireEvent];
  },

  serverFromWire(wire: WireEvent): ServerEvent[] {
    const event = rename(convertBody(wire, true), GA_NAME_OF_BETA);
    const events = [event as unknown as ServerEvent];
    // A completed item announced by the beta is final, which GA says with a second event.
    if (wire.type === 'conversation.item.created' && isJson(event.item) && event.item.status === 'completed') {
      events.push({ ...event, type: 'conversation.item.done' } as unknown as ServerEvent);
    }
    return events;
  },
};
