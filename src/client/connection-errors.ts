import { ConnectionError } from '../errors.js';

const HTTP_HINTS: Record<number, string> = {
  401: 'the server rejected the API key (401 Unauthorized): check OPENAI_API_KEY',
  403: 'access denied (403 Forbidden): the key or project may not have Realtime access, or the region is not allowed',
  404: 'not found (404): check the URL, the model name or the Azure deployment',
  429: 'rate limited or out of quota (429): check your plan and billing',
  500: 'the server failed (500 Internal Server Error): try again later',
  502: 'a gateway in front of the server could not reach it (502 Bad Gateway): try again later',
  503: 'the service is unavailable for now (503 Service Unavailable): try again later',
  504: 'a gateway in front of the server got no answer from it in time (504 Gateway Timeout): try again later',
};

/** Turns an HTTP status on the upgrade request into one line that says what to do. */
export function upgradeRejected(status: number, label: string): ConnectionError {
  const hint = HTTP_HINTS[status] ?? `the server answered HTTP ${status} instead of opening a WebSocket (is the URL a Realtime API endpoint?)`;
  return new ConnectionError(`cannot connect to ${label}: ${hint}`, { status });
}

/** The proxy would not open a tunnel to the server (its answer to CONNECT was not 200). */
export function proxyRefused(status: number, label: string, proxy: string): ConnectionError {
  const hint = status === 407
    ? 'it asks for credentials (407): put them in the variable, http://user:password@host:port'
    : `it answered HTTP ${status} to CONNECT (does it allow tunnels to this host and port?)`;
  return new ConnectionError(`cannot connect to ${label}: the proxy ${proxy} refused to open a tunnel: ${hint}`, { status });
}

const TRUST_IT = 'trust it with --ca FILE or NODE_EXTRA_CA_CERTS=FILE';
const CHECK_NETWORK = 'check your network, VPN or firewall';

/** Node's own words for a certificate, by the code OpenSSL or Node gives it, in a user's. */
const CERTIFICATE_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: `the server uses a self-signed TLS certificate (${TRUST_IT})`,
  SELF_SIGNED_CERT_IN_CHAIN: `the server's TLS certificate is not signed by a certificate authority this machine trusts (a company proxy or a private CA? ${TRUST_IT})`,
  CERT_HAS_EXPIRED: 'the server\'s TLS certificate has expired (or this machine\'s clock is wrong: check the date)',
  CERT_NOT_YET_VALID: 'the server\'s TLS certificate is not valid yet (is this machine\'s clock wrong? check the date)',
  CERT_REVOKED: 'the server\'s TLS certificate has been revoked (check the URL)',
};
for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA']) {
  CERTIFICATE_HINTS[code] = CERTIFICATE_HINTS.SELF_SIGNED_CERT_IN_CHAIN!;
}

/**
 * Why a connection could not be made, in a user's words with the likely fix; never Node's
 * message or an errno code (`--debug` shows those: the error is the ConnectionError's cause).
 */
function reasonFor(error: NodeJS.ErrnoException & { host?: string }, label: string, throughProxy: boolean): string {
  const code = error.code ?? '';
  const secure = label.startsWith('wss:');
  // Through a proxy kaiwa connects to the proxy alone: a refusal or a missing host is the proxy's.
  if (throughProxy && code === 'ECONNREFUSED') return 'the proxy refused the connection (is it running, and is the proxy variable right?)';
  if (throughProxy && (code === 'ENOTFOUND' || code === 'EAI_AGAIN')) return 'the proxy\'s host was not found (check HTTPS_PROXY / HTTP_PROXY / ALL_PROXY)';
  if (CERTIFICATE_HINTS[code]) return CERTIFICATE_HINTS[code];
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused (is the server running and the port right?)';
    case 'ENOTFOUND': case 'EAI_FAIL': case 'EAI_NONAME': return 'host not found (DNS lookup failed: check the URL and your network)';
    case 'EAI_AGAIN': return `DNS lookup failed for now (${CHECK_NETWORK}, then try again)`;
    case 'ECONNRESET': case 'EPIPE': case 'ECONNABORTED':
      return `the server closed the connection without answering (is the port right, and is it a WebSocket server?${secure ? '' : ' A TLS server needs wss://'})`;
    case 'ETIMEDOUT': return `connection timed out (${CHECK_NETWORK})`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'ENETDOWN': case 'EHOSTDOWN': return `no route to the host (${CHECK_NETWORK})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const host = error.host ?? hostOf(label);
      return `the server's TLS certificate is for another host name${host ? `, not ${host}` : ''} (check the host in the URL)`;
    }
  }
  if (/wrong version number|packet length too long|http request/i.test(error.message)) {
    return 'the server does not speak TLS there (for a server without TLS use ws://, or check the port)';
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) return 'the TLS handshake failed (check the URL and port; a proxy in between may get in the way)';
  if (/CERT/.test(code)) return 'the server\'s TLS certificate could not be verified (check the URL; run with --debug for why)';
  if (code.startsWith('HPE_')) return 'the server did not answer in HTTP (is the port right, and is it a WebSocket server?)';
  // ws's own words for a broken handshake ("Invalid Sec-WebSocket-Accept header", a subprotocol or extension it did not ask for).
  if (/Sec-WebSocket|subprotocol|extension|Upgrade header/i.test(error.message)) {
    return 'the server\'s answer to the WebSocket handshake was not valid (is the URL a Realtime API endpoint? a proxy in between may change it)';
  }
  return 'the connection failed (run with --debug for why)';
}

/** Turns a socket-level failure (refused, DNS, TLS, timeout) into one line; the network may come back, so it is retryable. */
export function socketFailed(error: NodeJS.ErrnoException, label: string, throughProxy = false): ConnectionError {
  return new ConnectionError(`cannot connect to ${label}: ${reasonFor(error, label, throughProxy)}`, { ...(error.code ? { code: error.code } : {}), cause: error });
}

/**
 * Why an open connection broke, for its close reason: ws ends a connection whose peer broke
 * the protocol ("Invalid WebSocket frame: …"), and Node one that was reset.
 */
export function connectionBroke(error: NodeJS.ErrnoException): string {
  if (error.code?.startsWith('WS_ERR_')) return 'the server sent data that is not WebSocket (is the URL a Realtime API endpoint? a proxy in between may get in the way)';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return 'the connection was reset';
  return 'the connection failed';
}

export function connectTimedOut(label: string, ms: number): ConnectionError {
  return new ConnectionError(`cannot connect to ${label}: no answer within ${ms} ms (--connect-timeout)`, { code: 'timeout' });
}

function hostOf(label: string): string | undefined {
  try {
    return new URL(label.split(' ')[0]!).hostname;
  } catch {
    return undefined;
  }
}
