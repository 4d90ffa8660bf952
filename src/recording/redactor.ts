/**
 * Removes registered secrets (API keys, tokens) from everything the recorder writes: a
 * recording is meant to be shared, and keys echo back in places nobody expects (an error
 * message quoting a URL, a tool result, a typed message).
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[], private readonly replacement = '[redacted]') {
    // Longest first, so a secret that contains another is removed whole. Strings under
    // 4 characters would shred ordinary text and cannot be real secrets.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let clean = value;
    for (const secret of this.secrets) {
      if (clean.includes(secret)) clean = clean.split(secret).join(this.replacement);
    }
    // Anything shaped like an OpenAI key, registered or not.
    return clean.replace(/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${this.replacement}`);
  }

  /** A deep copy of JSON-like data with every string (keys included) redacted. */
  value<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[this.text(key)] = this.walk(item);
    return copy;
  }
}
