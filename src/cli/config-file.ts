import { describeFileError } from '../file-errors.js';
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { UsageError, errorMessage } from '../errors.js';
import { checkModelPrice } from '../cost/price-table.js';
import type { PriceOverrides } from '../cost/pricing.js';
import { defaultConfigPath } from './config-path.js';

export { defaultConfigPath, kaiwaConfigDir } from './config-path.js';

function readConfig(path: string, explicit: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read config file ${path}: ${describeFileError(error)}`);
  }
  let parsed: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`config file ${path} is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`config file ${path} must hold a JSON object of settings`);
  }
  return parsed as Record<string, unknown>;
}

function findOption(command: Command, key: string): Option | undefined {
  return command.options.find((option) => option.attributeName() === key || option.long === `--${key}`);
}

/** Runs a config value through the same validation as the flag, so both fail alike. */
function configValue(option: Option, value: unknown, path: string, key: string): unknown {
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    if (typeof value !== 'boolean') throw new UsageError(`config file ${path}: "${key}" must be true or false`);
    // "no-speaker": true is the flag --no-speaker given: the setting it negates (speaker) is false.
    const negatedByKey = option.negate && key !== option.attributeName();
    return negatedByKey ? !value : value;
  }
  if (Array.isArray(option.defaultValue)) return repeatedValues(option, value, path, key);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new UsageError(`config file ${path}: "${key}" must be a string or a number`);
  }
  const text = String(value);
  if (option.argChoices && !option.argChoices.includes(text)) {
    throw new UsageError(`config file ${path}: "${key}" must be one of ${option.argChoices.join(', ')}`);
  }
  try {
    return option.parseArg ? option.parseArg(text, undefined) : text;
  } catch (error) {
    throw new UsageError(`config file ${path}: "${key}" ${errorMessage(error)}`);
  }
}

/**
 * A repeatable flag (--tools, --mcp, --prompt-var, …): one value or a list of them, each
 * checked like the flag; `promptVar` may also be an object of names and values.
 */
function repeatedValues(option: Option, value: unknown, path: string, key: string): unknown {
  const entries = isPlainObject(value) && option.long === '--prompt-var'
    ? Object.entries(value).map(([name, text]) => `${name}=${String(text)}`)
    : Array.isArray(value) ? value : [value];
  if (!entries.every((entry) => typeof entry === 'string' || typeof entry === 'number')) {
    throw new UsageError(`config file ${path}: "${key}" must be a string or a list of strings`);
  }
  try {
    return entries.reduce<unknown>((list, entry) => option.parseArg!(String(entry), list), undefined) ?? [];
  } catch (error) {
    throw new UsageError(`config file ${path}: "${key}" ${errorMessage(error)}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a config file's settings to a parsed command wherever the user gave no flag:
 * flags win, the file beats built-in defaults. Keys are the flags' names (camelCase or
 * as spelled on the command line without dashes, e.g. "silenceMs" or "silence-ms").
 */
export function applyConfigFile(command: Command, configPath: string | undefined): ConfigExtras {
  const path = configPath ?? defaultConfigPath();
  const config = readConfig(path, configPath !== undefined);
  if (!config) return {};
  const { prices, ...settings } = config;
  for (const [key, value] of Object.entries(settings)) {
    const option = findOption(command, key);
    if (!option || option.attributeName() === 'config') {
      throw new UsageError(`config file ${path}: unknown setting "${key}"`);
    }
    const name = option.attributeName();
    const source = command.getOptionValueSource(name);
    if (source === 'cli' || source === 'env') continue;
    command.setOptionValueWithSource(name, configValue(option, value, path, key), 'config');
  }
  return prices === undefined ? {} : { prices: checkPrices(prices, path) };
}

/** Settings that are not flags. `prices`: per-model USD per 1M tokens, overriding or adding to the built-in table. */
export interface ConfigExtras {
  prices?: PriceOverrides;
}

function checkPrices(value: unknown, path: string): PriceOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`config file ${path}: "prices" must map model names to prices`);
  }
  for (const [model, price] of Object.entries(value)) {
    try {
      checkModelPrice(model, price);
    } catch (error) {
      throw new UsageError(`config file ${path}: "prices.${model}" ${errorMessage(error)}`);
    }
  }
  return value as PriceOverrides;
}
