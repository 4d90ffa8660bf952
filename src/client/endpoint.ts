import { dialectFor } from '../protocol/dialects.js';
import { sessionDialectOf, type ProtocolName } from '../protocol/protocols.js';
import { UsageError } from '../errors.js';

export const OPENAI_REALTIME_URL = 'wss://api.openai.com/v1/realtime';
/** The official SDK's Live endpoint: its base URL plus `/live/sessions` (the model goes in `session.start`). */
export const OPENAI_LIVE_URL = 'wss://api.openai.com/v1/live/sessions';

export interface EndpointOptions {
  /** The Realtime model; a transcription session (`intent`) names none. */
  model?: string | undefined;
  /** `transcription`: a transcription-only session, opened as the SDK does (`?intent=transcription`, no model). */
  intent?: 'transcription' | undefined;
  protocol: ProtocolName;
  apiKey?: string | undefined;
  /** `--url`: a ws(s) or http(s) base URL; `/realtime` (Live: `/live/sessions`) is appended unless already there. */
  url?: string | undefined;
  /** `OPENAI_BASE_URL`, read like the official SDK reads it. */
  baseUrl?: string | undefined;
  azureEndpoint?: string | undefined;
  azureDeployment?: string | undefined;
  apiVersion?: string | undefined;
}

export interface Endpoint {
  url: string;
  headers: Record<string, string>;
  /** Where we connect, safe to print (never holds a secret). */
  label: string;
}

function toWebSocketUrl(raw: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} is not a valid URL: ${raw}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`${flag} must start with ws://, wss://, http:// or https:// (got ${url.protocol})`);
  }
  return url;
}

/** The official SDK appends `/realtime` to its base URL's path; a URL already ending there is kept. */
function withRealtimePath(url: URL): URL {
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/realtime')) url.pathname = `${path}/realtime`;
  return url;
}

/** As the SDK builds it: base URL + `/live/sessions`, no query (a URL already ending there is kept). */
function liveUrl(options: EndpointOptions): URL {
  if (options.azureEndpoint) throw new UsageError('--protocol live speaks to OpenAI\'s /v1/live/sessions; it has no Azure form in the SDK (drop --azure-endpoint, or use --url)');
  const raw = options.url ?? options.baseUrl;
  if (!raw) return new URL(OPENAI_LIVE_URL);
  const url = toWebSocketUrl(raw, options.url ? '--url' : 'OPENAI_BASE_URL');
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/live/sessions') ? path : `${path}/live/sessions`;
  url.searchParams.delete('model');
  return url;
}

function azureUrl(options: EndpointOptions): URL {
  if (!options.azureDeployment) throw new UsageError('--azure-endpoint needs --azure-deployment NAME');
  const url = toWebSocketUrl(options.azureEndpoint!, '--azure-endpoint');
  const base = url.pathname.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
  if (options.apiVersion) {
    // The older preview interface: deployment and api-version as query parameters.
    url.pathname = `${base}/openai/realtime`;
    url.searchParams.set('api-version', options.apiVersion);
    url.searchParams.set('deployment', options.azureDeployment);
  } else {
    url.pathname = `${base}/openai/v1/realtime`;
    url.searchParams.set('model', options.azureDeployment);
  }
  return url;
}

function realtimeUrl(options: EndpointOptions): URL {
  if (options.azureEndpoint) return azureUrl(options);
  const raw = options.url ?? options.baseUrl;
  const flag = options.url ? '--url' : 'OPENAI_BASE_URL';
  const url = raw ? withRealtimePath(toWebSocketUrl(raw, flag)) : new URL(OPENAI_REALTIME_URL);
  if (options.intent) {
    url.searchParams.delete('model');
    url.searchParams.set('intent', options.intent);
  } else if (!url.searchParams.has('model')) {
    url.searchParams.set('model', options.model ?? '');
  }
  return url;
}

function authHeaders(options: EndpointOptions): Record<string, string> {
  if (!options.apiKey) return {};
  return options.azureEndpoint
    ? { 'api-key': options.apiKey }
    : { Authorization: `Bearer ${options.apiKey}` };
}

export function resolveEndpoint(options: EndpointOptions): Endpoint {
  const url = options.protocol === 'live' ? liveUrl(options) : realtimeUrl(options);
  const headers = { ...authHeaders(options), ...dialectFor(sessionDialectOf(options.protocol)).headers };
  const label = `${url.protocol}//${url.host}${url.pathname}`;
  return { url: url.toString(), headers, label };
}
