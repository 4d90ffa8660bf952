import type { Dialect, DialectName } from './dialect.js';
import { gaDialect } from './ga-dialect.js';
import { betaDialect } from './beta-dialect.js';

export function dialectFor(name: DialectName): Dialect {
  return name === 'beta' ? betaDialect : gaDialect;
}
