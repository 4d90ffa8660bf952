/**
 * Which certificates `kaiwa --url wss://…` trusts: the usual roots, plus `--ca FILE`, plus
 * the certificate `kaiwa serve --tls` keeps in the config folder, so a local server with
 * its own certificate is trusted without NODE_EXTRA_CA_CERTS. Undefined: Node's defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { UsageError } from '../errors.js';
import { SERVE_CERT_FILE } from '../server/tls-store.js';
import { kaiwaConfigDir } from './config-file.js';

export function trustedCertificates(url: string, caFile: string | undefined, configDir = kaiwaConfigDir()): string[] | undefined {
  if (!/^(wss|https):/i.test(url)) return undefined;
  const extra: string[] = [];
  if (caFile !== undefined) {
    try {
      extra.push(readFileSync(caFile, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read --ca ${caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!extra[0]!.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${caFile} holds no PEM certificate`);
  }
  try {
    extra.push(readFileSync(join(configDir, SERVE_CERT_FILE), 'utf8'));
  } catch {
    // No kaiwa serve certificate on this machine: nothing more to trust.
  }
  return extra.length > 0 ? [...defaultCertificates(), ...extra] : undefined;
}

/** Node's store, with NODE_EXTRA_CA_CERTS where Node can say (22.15+), else the bundled roots. */
function defaultCertificates(): readonly string[] {
  const withExtras = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  return withExtras ? withExtras('default') : tls.rootCertificates;
}
