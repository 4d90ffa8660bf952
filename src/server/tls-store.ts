/**
 * `kaiwa serve --tls` keeps its certificate: made once into a private folder (0700; the
 * key 0600) and reused while it is valid for the host, so a client told to trust it once
 * (NODE_EXTRA_CA_CERTS, or kaiwa's own client, which looks there) keeps trusting it.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { makeDirectory } from '../make-directory.js';
import { selfSignedCertificate, type TlsMaterial } from './tls-certificate.js';

export const SERVE_CERT_FILE = 'serve-cert.pem';
const SERVE_KEY_FILE = 'serve-key.pem';
/** A certificate this close to its end is made anew. */
const RENEW_BEFORE_MS = 24 * 3600 * 1000;

export interface StoredTls extends TlsMaterial {
  certPath: string;
  /** Made now (not reused). */
  created: boolean;
}

/** The certificate in `dir` if it is still good for `host`, else a new one written there. */
export async function storedCertificate(dir: string, host: string): Promise<StoredTls> {
  const certPath = join(dir, SERVE_CERT_FILE);
  const keyPath = join(dir, SERVE_KEY_FILE);
  const existing = readPair(certPath, keyPath);
  if (existing && covers(existing.cert, host)) return { ...existing, certPath, created: false };
  const fresh = await selfSignedCertificate(host);
  makeDirectory(dir, 0o700);
  chmodSync(dir, 0o700);
  writeFileSync(keyPath, fresh.key, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, fresh.cert, { mode: 0o644 });
  return { ...fresh, certPath, created: true };
}

function readPair(certPath: string, keyPath: string): TlsMaterial | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } catch {
    return undefined;
  }
}

function covers(pem: string, host: string): boolean {
  try {
    const certificate = new X509Certificate(pem);
    if (Date.parse(certificate.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    const name = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return isIP(name) ? certificate.checkIP(name) !== undefined : certificate.checkHost(name) !== undefined;
  } catch {
    return false;
  }
}
