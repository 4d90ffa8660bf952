import { ConnectionError } from '../errors.js';

const HTTP_HINTS: Record<number, string> = {
  401: 'the server rejected the API key (401 Unauthorized): check OPENAI_API_KEY',
  403: 'access denied (403 Forbidden): the key or project may not have Realtime access, or the region is not allowed',
  404: 'not found (404): check the URL, the model name or the Azure deployment',
  429: 'rate limited or out of quota (429): check your plan and billing',
};

/** Turns an HTTP status on the upgrade request into one line that says what to do. */
export function upgradeRejected(status: number, label: string): ConnectionError {
  const hint = HTTP_HINTS[status] ?? `the server answered HTTP ${status} instead of opening a WebSocket`;
  return new ConnectionError(`cannot connect to ${label}: ${hint}`, { status });
}

/** The proxy would not open a tunnel to the server (its answer to CONNECT was not 200). */
export function proxyRefused(status: number, label: string, proxy: string): ConnectionError {
  const hint = status === 407
    ? 'it asks for credentials (407): put them in the variable, http://user:password@host:port'
    : `it answered HTTP ${status} to CONNECT (does it allow tunnels to this host and port?)`;
  return new ConnectionError(`cannot connect to ${label}: the proxy ${proxy} refused to open a tunnel: ${hint}`, { status });
}

/** Turns a socket-level failure (refused, DNS, TLS, timeout) into one line; the network may come back, so it is retryable. */
export function socketFailed(error: NodeJS.ErrnoException, label: string, throughProxy = false): ConnectionError {
  const reason = (() => {
    // Through a proxy kaiwa connects to the proxy alone: a refusal or a missing host is the proxy's.
    if (throughProxy && error.code === 'ECONNREFUSED') return 'the proxy refused the connection (is it running, and is the proxy variable right?)';
    if (throughProxy && (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')) return 'the proxy\'s host was not found (check HTTPS_PROXY / HTTP_PROXY / ALL_PROXY)';
    switch (error.code) {
      case 'ECONNREFUSED': return 'connection refused (is the server running and the port right?)';
      case 'ENOTFOUND': return 'host not found (DNS lookup failed: check the URL and your network)';
      case 'EAI_AGAIN': return 'DNS lookup failed (temporary: check your network)';
      case 'ECONNRESET': return 'connection reset by the server';
      case 'ETIMEDOUT': return 'connection timed out';
      case 'EHOSTUNREACH': case 'ENETUNREACH': return 'network unreachable';
      case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN':
        return 'the server uses a self-signed TLS certificate (set NODE_EXTRA_CA_CERTS to trust it)';
      default: return firstLine(error.message);
    }
  })();
  return new ConnectionError(`cannot connect to ${label}: ${reason}`, error.code ? { code: error.code } : {});
}

export function connectTimedOut(label: string, ms: number): ConnectionError {
  return new ConnectionError(`cannot connect to ${label}: no answer within ${ms} ms (--connect-timeout)`, { code: 'timeout' });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
