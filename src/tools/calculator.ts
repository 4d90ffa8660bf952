/**
 * Arithmetic for the `calculator` built-in: a small recursive-descent parser over numbers,
 * + - * / % ^ (or **), parentheses, a few functions and constants. It never hands text to
 * `eval` or `Function`; anything else is a syntax error.
 *
 *   expression := sum
 *   sum        := product (('+' | '-') product)*
 *   product    := unary (('*' | '/' | '%') unary | implicit-multiplication)*
 *   unary      := ('+' | '-') unary | power
 *   power      := postfix (('^' | '**') unary)?     right-associative; -2^2 = -4
 *   postfix    := primary '!'*
 *   primary    := number | constant | function '(' args ')' | '(' sum ')'
 */

const MAX_LENGTH = 1000;
const MAX_DEPTH = 64;

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

const FUNCTIONS: Record<string, { arity: [number, number]; fn: (...args: number[]) => number }> = {
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  cbrt: { arity: [1, 1], fn: Math.cbrt },
  abs: { arity: [1, 1], fn: Math.abs },
  round: { arity: [1, 2], fn: (x, digits = 0) => roundTo(x, digits) },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  trunc: { arity: [1, 1], fn: Math.trunc },
  sin: { arity: [1, 1], fn: Math.sin },
  cos: { arity: [1, 1], fn: Math.cos },
  tan: { arity: [1, 1], fn: Math.tan },
  asin: { arity: [1, 1], fn: Math.asin },
  acos: { arity: [1, 1], fn: Math.acos },
  atan: { arity: [1, 1], fn: Math.atan },
  ln: { arity: [1, 1], fn: Math.log },
  log: { arity: [1, 2], fn: (x, base) => base === undefined ? Math.log10(x) : Math.log(x) / Math.log(base) },
  log10: { arity: [1, 1], fn: Math.log10 },
  log2: { arity: [1, 1], fn: Math.log2 },
  exp: { arity: [1, 1], fn: Math.exp },
  pow: { arity: [2, 2], fn: Math.pow },
  min: { arity: [1, 100], fn: Math.min },
  max: { arity: [1, 100], fn: Math.max },
};

export class CalculatorError extends Error {}

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number };

export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_LENGTH) throw new CalculatorError(`the expression is longer than ${MAX_LENGTH} characters`);
  const parser = new Parser(tokenize(expression));
  const value = parser.parse();
  if (Number.isNaN(value)) throw new CalculatorError('the result is not a number (e.g. sqrt of a negative number)');
  if (!Number.isFinite(value)) throw new CalculatorError('the result is infinite (division by zero or overflow)');
  return Object.is(value, -0) ? 0 : value;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const number = /^(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0].replace(/_/g, '')), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0].toLowerCase(), at: i });
      i += name[0].length;
      continue;
    }
    if (text.startsWith('**', i)) {
      tokens.push({ kind: 'op', value: '^', at: i });
      i += 2;
      continue;
    }
    const symbol = ch === '×' ? '*' : ch === '÷' ? '/' : ch === '−' ? '-' : ch;
    if ('+-*/%^(),!'.includes(symbol)) {
      tokens.push({ kind: 'op', value: symbol, at: i });
      i += 1;
      continue;
    }
    throw new CalculatorError(`unexpected ${JSON.stringify(ch)} at position ${i + 1}`);
  }
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    if (this.tokens.length === 0) throw new CalculatorError('the expression is empty');
    const value = this.sum();
    const extra = this.peek();
    if (extra) throw new CalculatorError(`unexpected ${JSON.stringify(String(extra.value))} at position ${extra.at + 1}`);
    return value;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token?.kind === 'op' && token.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) {
      const token = this.peek();
      throw new CalculatorError(token ? `expected "${value}" at position ${token.at + 1}` : `expected "${value}" at the end`);
    }
    this.index += 1;
  }

  private nested<T>(fn: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new CalculatorError('the expression is nested too deeply');
    try {
      return fn();
    } finally {
      this.depth -= 1;
    }
  }

  private sum(): number {
    let value = this.product();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.index++] as { value: string }).value;
      const right = this.product();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  private product(): number {
    let value = this.unary();
    for (;;) {
      if (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
        const op = (this.tokens[this.index++] as { value: string }).value;
        const right = this.unary();
        if ((op === '/' || op === '%') && right === 0) throw new CalculatorError('division by zero');
        value = op === '*' ? value * right : op === '/' ? value / right : value % right;
        continue;
      }
      // Implicit multiplication: 2pi, 3(4+5), (1+2)(3+4).
      const next = this.peek();
      if (next && (next.kind === 'name' || (next.kind === 'op' && next.value === '('))) {
        value *= this.unary();
        continue;
      }
      return value;
    }
  }

  private unary(): number {
    if (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.index++] as { value: string }).value;
      return this.nested(() => (op === '-' ? -this.unary() : this.unary()));
    }
    return this.power();
  }

  private power(): number {
    const base = this.postfix();
    if (this.isOp('^')) {
      this.index += 1;
      const exponent = this.nested(() => this.unary());
      return base ** exponent;
    }
    return base;
  }

  private postfix(): number {
    let value = this.primary();
    while (this.isOp('!')) {
      this.index += 1;
      value = factorial(value);
    }
    return value;
  }

  private primary(): number {
    const token = this.peek();
    if (!token) throw new CalculatorError('the expression ends too early');
    this.index += 1;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = this.nested(() => this.sum());
      this.expect(')');
      return value;
    }
    if (token.kind === 'name') {
      if (Object.hasOwn(CONSTANTS, token.value)) return CONSTANTS[token.value]!;
      const fn = Object.hasOwn(FUNCTIONS, token.value) ? FUNCTIONS[token.value] : undefined;
      if (!fn) throw new CalculatorError(`unknown name "${token.value}" at position ${token.at + 1}`);
      this.expect('(');
      const args: number[] = [];
      if (!this.isOp(')')) {
        args.push(this.nested(() => this.sum()));
        while (this.isOp(',')) {
          this.index += 1;
          args.push(this.nested(() => this.sum()));
        }
      }
      this.expect(')');
      const [least, most] = fn.arity;
      if (args.length < least || args.length > most) {
        throw new CalculatorError(`${token.value} takes ${least === most ? least : `${least} to ${most}`} argument${most === 1 ? '' : 's'}`);
      }
      return fn.fn(...args);
    }
    throw new CalculatorError(`unexpected "${token.value}" at position ${token.at + 1}`);
  }
}

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new CalculatorError('factorial needs a whole number ≥ 0');
  if (n > 170) return Infinity;
  let result = 1;
  for (let i = 2; i <= n; i++) result *= i;
  return result;
}

function roundTo(x: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new CalculatorError('round(x, digits) needs digits from 0 to 15');
  const factor = 10 ** digits;
  return Math.round(x * factor) / factor;
}

/** Rounds away binary noise (0.1+0.2 → 0.3) without hiding real digits. */
export function tidyNumber(value: number): number {
  return Number.parseFloat(value.toPrecision(15));
}
