/**
 * A throwaway certificate for `kaiwa serve --tls`: the official SDK's WebSocket client only
 * speaks `wss:`, so a local server must offer TLS for it. Clients trust it by passing the
 * certificate as their CA (e.g. NODE_EXTRA_CA_CERTS or the `ca` socket option).
 */
import { isIP } from 'node:net';

export interface TlsMaterial {
  cert: string;
  key: string;
}

export async function selfSignedCertificate(host: string): Promise<TlsMaterial> {
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' },
  ];
  if (isIP(host) && host !== '127.0.0.1' && host !== '::1') altNames.push({ type: 7, ip: host });
  else if (!isIP(host) && host !== 'localhost') altNames.push({ type: 2, value: host });
  const notBeforeDate = new Date(Date.now() - 60_000);
  // Loaded here, not at startup: only --tls needs it, and it brings its own X.509 stack.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'kaiwa serve' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * 24 * 3600 * 1000),
    extensions: [
      // A self-signed leaf acting as its own CA is what lets clients pin it with `ca`.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
