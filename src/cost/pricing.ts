import { BUILT_IN_PRICES, PRICE_FIELDS, type ModelPrice, type PriceTable } from './price-table.js';

export type { ModelPrice } from './price-table.js';
export { costOf } from './cost.js';

/** Prices from the config file, by model name: they add models or replace single rates. */
export type PriceOverrides = Readonly<Record<string, ModelPrice>>;

/**
 * The price of a model, or undefined when nothing is known about it. A dated snapshot
 * takes its family's price unless the table or the overrides name it directly; overrides
 * win field by field, so a config can correct one rate without restating the rest.
 */
export function priceFor(model: string, overrides: PriceOverrides = {}, table: PriceTable = BUILT_IN_PRICES): ModelPrice | undefined {
  const name = model.trim();
  const family = familyOf(name, table);
  const layers = [table.models[family], table.models[name], overrides[family], overrides[name]];
  const known = layers.filter((layer): layer is ModelPrice => layer !== undefined);
  if (known.length === 0) return undefined;
  const merged: ModelPrice = Object.assign({}, ...known);
  return PRICE_FIELDS.some((field) => merged[field] !== undefined) ? merged : undefined;
}

/** The name whose price a model shares: itself unless the table lists it as an alias. */
export function familyOf(model: string, table: PriceTable = BUILT_IN_PRICES): string {
  return table.aliases[model]?.family ?? model;
}

/** Every model name kaiwa can price without a config file (families and aliases). */
export function pricedModels(table: PriceTable = BUILT_IN_PRICES): string[] {
  return [...Object.keys(table.models), ...Object.keys(table.aliases)].sort();
}
