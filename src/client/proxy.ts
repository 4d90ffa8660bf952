import type { Agent } from 'node:http';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** A connection tunnelled through an HTTP proxy (CONNECT), as curl and npm do from the same variables. */
export interface ProxyRoute {
  agent: Agent & { on(event: 'proxyConnect', listener: (response: { statusCode: number }) => void): unknown };
  /** The proxy as it may be shown: scheme, host and port, never its credentials. */
  label: string;
}

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'];

/**
 * The proxy the environment names for a WebSocket URL (wss: as https:, ws: as http:; HTTPS_PROXY,
 * HTTP_PROXY, ALL_PROXY, and NO_PROXY's exceptions, upper or lower case), or undefined for a
 * direct connection. Loopback addresses (kaiwa's own local server, a test peer) always go direct:
 * a proxy elsewhere cannot reach them. The proxy packages load only when a proxy is set.
 */
export async function proxyRouteFor(url: string, env: NodeJS.ProcessEnv): Promise<ProxyRoute | undefined> {
  if (!PROXY_VARIABLES.some((name) => env[name] || env[name.toUpperCase()])) return undefined;
  const target = new URL(url);
  if (isLoopback(target.hostname)) return undefined;
  target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
  // proxy-from-env reads process.env: the CLI's environment is that one.
  const { getProxyForUrl } = await import('proxy-from-env');
  const named = getProxyForUrl(target.toString());
  if (!named) return undefined;
  // A proxy written host:port is an http: one, as curl takes it (proxy-from-env would give it the target's https:).
  const written = [`${target.protocol.slice(0, -1)}_proxy`, 'all_proxy'].map((name) => env[name] || env[name.toUpperCase()]).find(Boolean) ?? '';
  const proxy = written.includes('://') ? named : `http://${written}`;
  if (!URL.canParse(proxy)) throw new UsageError(`the proxy in the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a URL: write it as http://host:port`);
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  return { agent: new HttpsProxyAgent(proxy) as ProxyRoute['agent'], label: proxyLabel(proxy) };
}

function proxyLabel(proxy: string): string {
  try {
    const parsed = new URL(proxy);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'the proxy in the environment';
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
