// The Input shape as typed: `3, 32, 32`, `3×32×32`, `[784]`.
export type ParsedShape = { ok: true; shape: number[] } | { ok: false; message: string };

export function parseShape(text: string): ParsedShape {
  const parts = text
    .replace(/^[[(]\s*|\s*[\])]$/g, '')
    .split(/\s*[,×x*]\s*|\s+/)
    .filter((s) => s !== '');
  if (parts.length === 0) return { ok: false, message: 'enter the shape without the batch, e.g. 3, 32, 32' };
  if (parts.length > 3)
    return { ok: false, message: `${parts.length} dimensions: give [C, H, W], [C, L] or [F] (without the batch N)` };
  const bad = parts.find((p) => !/^\d+$/.test(p) || Number(p) < 1);
  if (bad !== undefined) return { ok: false, message: `"${bad}" is not a positive integer` };
  return { ok: true, shape: parts.map(Number) };
}
