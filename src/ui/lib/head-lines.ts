// Long text shown in a panel (the code of a 100,000-layer model) is cut to its first lines:
// drawing millions of highlighted tokens would stall the page. Copy still gives all of it.

/** Most lines a code panel draws. */
export const SHOWN_LINES = 2000;
/** Most rows the summary table draws. */
export const SHOWN_ROWS = 1000;

/** The first `max` lines of `text`, and how many lines were left out. */
export function headLines(text: string, max = SHOWN_LINES): { text: string; more: number } {
  let at = -1;
  for (let i = 0; i < max; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return { text, more: 0 };
  }
  let more = 0;
  for (let i = at; i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) more++;
  return { text: text.slice(0, at + 1), more };
}
