// Number formatting exactly as Python's format() does it, for tables copied from Python
// tools (torchinfo): ',' thousands separators, '.2f' rounding half to even on the
// exact binary value (JavaScript's toFixed rounds exact ties up instead).

/** '1234567' -> '1,234,567' (the integer part of a plain decimal string). */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Python's format(x, f'{digits}f'), or with thousands: format(x, f',.{digits}f'). */
export function pyFixed(x: number, digits: number, thousands = false): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  let out = x.toFixed(digits);
  // toFixed(100) is the exact decimal expansion of any double >= 1e-38 or so.
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, '');
    const lastDigit = Number(kept[kept.length - 1]);
    if (lastDigit % 2 === 0) out = (x < 0 ? '-' : '') + kept;
  }
  if (!thousands) return out;
  const [int, frac] = out.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  return `${sign}${group(int.replace('-', ''))}${frac !== undefined ? `.${frac}` : ''}`;
}

/** Python's format(n, ',d') for an integer. */
export function pyInt(n: number, thousands = true): string {
  const s = Math.trunc(Math.abs(n)).toString();
  return `${n < 0 ? '-' : ''}${thousands ? group(s) : s}`;
}
