/**
 * Assistant content parts are `text` / `audio` in the beta and `output_text` /
 * `output_audio` in GA; user parts (`input_text`, `input_audio`) are the same in both.
 */
type Json = Record<string, unknown>;

const GA_PART_OF_BETA: Record<string, string> = { text: 'output_text', audio: 'output_audio' };
const BETA_PART_OF_GA: Record<string, string> = { output_text: 'text', output_audio: 'audio' };

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renamePart(part: unknown, names: Record<string, string>): unknown {
  if (!isJson(part) || typeof part.type !== 'string') return part;
  const renamed = names[part.type];
  return renamed ? { ...part, type: renamed } : part;
}

function renameItemParts(item: unknown, names: Record<string, string>): unknown {
  if (!isJson(item) || !Array.isArray(item.content)) return item;
  return { ...item, content: item.content.map((part) => renamePart(part, names)) };
}

export const partToGa = (part: unknown): unknown => renamePart(part, GA_PART_OF_BETA);
export const partToBeta = (part: unknown): unknown => renamePart(part, BETA_PART_OF_GA);
export const itemToGa = (item: unknown): unknown => renameItemParts(item, GA_PART_OF_BETA);
export const itemToBeta = (item: unknown): unknown => renameItemParts(item, BETA_PART_OF_GA);

export function itemsToGa(items: unknown): unknown {
  return Array.isArray(items) ? items.map(itemToGa) : items;
}

export function itemsToBeta(items: unknown): unknown {
  return Array.isArray(items) ? items.map(itemToBeta) : items;
}
