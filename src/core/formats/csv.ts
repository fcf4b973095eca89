// CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field in
// double quotes may hold commas, line breaks and doubled quotes (""). A stray quote inside
// an unquoted field, text after a closing quote, or a quote left open is an error naming
// its line. A final line break does not make an empty record.

export const CSV_LIMITS = { bytes: 256 * 1024 * 1024, columns: 10_000 } as const;

export class CsvError extends Error {}

/** The records of a CSV text, each a list of fields (strings, unquoted). */
export function parseCsv(text: string): string[][] {
  if (text.length > CSV_LIMITS.bytes) throw new CsvError(`the CSV is larger than ${CSV_LIMITS.bytes / 1024 / 1024} MB`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
  const rows: string[][] = [];
  let row: string[] = [],
    field = '',
    line = 1,
    i = 0;
  const endField = () => {
    row.push(field);
    field = '';
    if (row.length > CSV_LIMITS.columns) throw new CsvError(`line ${line}: more than ${CSV_LIMITS.columns} columns`);
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      if (field !== '') throw new CsvError(`line ${line}: a quote inside an unquoted field (quote the whole field)`);
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError(`line ${start}: a quoted field is never closed`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
        throw new CsvError(`line ${line}: text after a closing quote`);
      continue;
    }
    if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
