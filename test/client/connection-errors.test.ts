/**
 * The failures no server on this machine can provoke (a DNS server that is down, a network
 * with no route) are said in a user's words too: Node's error, as it comes, in; one line out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketFailed } from '../../src/client/connection-errors.js';

const LABEL = 'wss://api.example.test/v1/realtime';
const nodeError = (message: string, code?: string): NodeJS.ErrnoException => Object.assign(new Error(message), code ? { code } : {});

const cases: Array<[NodeJS.ErrnoException, RegExp]> = [
  [nodeError('getaddrinfo EAI_AGAIN api.example.test', 'EAI_AGAIN'), /DNS lookup failed for now \(check your network, VPN or firewall, then try again\)/],
  [nodeError('getaddrinfo ENOTFOUND api.example.test', 'ENOTFOUND'), /host not found/],
  [nodeError('connect EHOSTUNREACH 10.0.0.1:443', 'EHOSTUNREACH'), /no route to the host \(check your network, VPN or firewall\)/],
  [nodeError('connect ENETUNREACH 10.0.0.1:443', 'ENETUNREACH'), /no route to the host/],
  [nodeError('connect ETIMEDOUT 10.0.0.1:443', 'ETIMEDOUT'), /connection timed out \(check your network/],
  [nodeError('read ECONNRESET', 'ECONNRESET'), /the server closed the connection without answering/],
  [nodeError('certificate is not yet valid', 'CERT_NOT_YET_VALID'), /not valid yet.*clock/],
  [nodeError('unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), /not signed by a certificate authority this machine trusts.*--ca FILE/],
  [nodeError('Hostname/IP does not match certificate\'s altnames: Host: api.example.test. is not in the cert\'s altnames: DNS:other.test', 'ERR_TLS_CERT_ALTNAME_INVALID'), /for another host name, not api\.example\.test \(check the host in the URL\)/],
  [nodeError('something nobody has seen before', 'EWHATEVER'), /^cannot connect to .*: the connection failed \(run with --debug for why\)$/],
];

for (const [error, says] of cases) {
  test(`${error.message}: one line naming the host, in a user's words`, () => {
    const line = socketFailed(error, LABEL).message;
    assert.ok(line.startsWith(`cannot connect to ${LABEL}: `), line);
    assert.match(line, says);
    assert.doesNotMatch(line, /\bE[A-Z]{3,}\b|ERR_|getaddrinfo|Hostname\/IP|altnames|\n/);
  });
}

test('the ECONNRESET hint names wss:// only for a ws:// URL', () => {
  const reset = nodeError('socket hang up', 'ECONNRESET');
  assert.match(socketFailed(reset, 'ws://127.0.0.1:8080/v1/realtime').message, /A TLS server needs wss:\/\//);
  assert.doesNotMatch(socketFailed(reset, LABEL).message, /A TLS server needs/);
});

test('the error underneath is kept as the cause, for --debug', () => {
  const error = nodeError('getaddrinfo EAI_AGAIN api.example.test', 'EAI_AGAIN');
  const failed = socketFailed(error, LABEL);
  assert.equal(failed.cause, error);
  assert.equal(failed.code, 'EAI_AGAIN');
});
