import assert from 'node:assert/strict';
import { ProtocolFailure } from '../../src/server/protocol-failure.js';

/** The error code and parameter path a server check refuses with; fails the test if it accepted. */
export function refusalOf(check: () => unknown, what: unknown): { code: string; param: string | null } {
  try {
    check();
  } catch (error) {
    if (error instanceof ProtocolFailure) return { code: error.code, param: error.param };
    throw error;
  }
  assert.fail(`accepted ${JSON.stringify(what)}`);
}
