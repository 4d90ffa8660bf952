/**
 * |re + i·im|: the same number as `Math.hypot(re, im)`, bit for bit (V8's builtin scales
 * both by the larger magnitude, sums the squares and scales back; with two terms its Kahan
 * compensation is zero), but inlined by the compiler. V8 calls `Math.hypot` as a builtin
 * with its arguments and result boxed, which made the delay search's 4097-bin loop most
 * of its time and most of the canceller's garbage.
 */
export function magnitude(re: number, im: number): number {
  const a = Math.abs(re);
  const b = Math.abs(im);
  const max = a > b ? a : b;
  // Zero, infinite or NaN: apart, so that the common path stays plain arithmetic.
  if (max === 0 || max === Infinity || a !== a || b !== b) return unusualMagnitude(a, b);
  const p = a / max;
  const q = b / max;
  return Math.sqrt(p * p + q * q) * max;
}

function unusualMagnitude(a: number, b: number): number {
  if (a === Infinity || b === Infinity) return Infinity;
  return a !== a || b !== b ? NaN : 0;
}
