import { generate } from 'selfsigned';

/** A certificate and its key, as a TLS server takes them. */
export interface TestCertificate {
  cert: string;
  key: string;
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };
const FOR_LOCALHOST: AltName[] = [{ type: 7, ip: '127.0.0.1' }];
const DAY_MS = 24 * 3600 * 1000;

async function make(commonName: string, options: { altNames?: AltName[]; ca?: TestCertificate; isCa?: boolean; validFrom?: Date; validTo?: Date } = {}): Promise<TestCertificate> {
  const from = options.validFrom ?? new Date(Date.now() - DAY_MS);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: from, notAfterDate: options.validTo ?? new Date(from.getTime() + 30 * DAY_MS),
    ...(options.ca ? { ca: { cert: options.ca.cert, key: options.ca.key } } : {}),
    extensions: [
      { name: 'basicConstraints', cA: options.isCa ?? true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'subjectAltName', altNames: options.altNames ?? FOR_LOCALHOST },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Signed by itself, for 127.0.0.1: no client trusts it unless told to. */
export const selfSignedFor127 = (): Promise<TestCertificate> => make('kaiwa test');

/** For 127.0.0.1, signed by a CA the client is not given (and the server does not send). */
export async function signedByUnknownCa(): Promise<TestCertificate> {
  const ca = await make('kaiwa test CA', { altNames: [{ type: 2, value: 'ca.test' }] });
  return make('kaiwa test leaf', { ca, isCa: false });
}

/** For 127.0.0.1, self-signed, and expired yesterday. */
export const expiredFor127 = (): Promise<TestCertificate> => make('kaiwa expired', { validFrom: new Date(Date.now() - 10 * DAY_MS), validTo: new Date(Date.now() - DAY_MS) });

/** Self-signed for another host name (example.test), not for 127.0.0.1. */
export const forAnotherHost = (): Promise<TestCertificate> => make('kaiwa other host', { altNames: [{ type: 2, value: 'example.test' }] });
