// `layerboard import FILE [--input C,H,W] [--out MODEL.json]`: a PyTorch print(model)
// text or Python source that builds the model, to a version-2 model file. Parsed, never
// run. Notes (what was assumed: forward of a printout, the input shape) and errors go to
// stderr as FILE:LINE: lines.
import { stripBom } from '../core/formats/json-syntax.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { serializeModelDocument } from '../core/model/model-json.ts';
import { formatImportSummary, importSummary } from '../core/python/import-check.ts';
import { parseModelText } from '../core/python/model-text.ts';

// Kept here for callers of the CLI module; the rule lives in core (the UI uses it too).
export { looksLikeRepr } from '../core/python/model-text.ts';

const USAGE = `usage: layerboard import FILE [--input C,H,W] [--out MODEL.json]

  FILE    print(model) text from PyTorch, or Python source: a class Net(nn.Module) with
          __init__ and forward() (block classes it uses included), or nn.Sequential(...)
          — read, never executed; '-' reads stdin
  --input the model's input shape without the batch (default: guessed from the first
          layer, and said so in a note)
  --out   write the model file there (default: stdout)`;

function parseInput(text: string | undefined): number[] | string {
  const dims = (text ?? '').split(',').map((d) => d.trim());
  if (!text || dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1 || !Number.isSafeInteger(Number(d)))) {
    return `--input must be sizes like 3,32,32 (positive integers), got '${text ?? ''}'`;
  }
  return dims.map(Number);
}

export async function runImport(args: string[]): Promise<number> {
  let file: string | undefined, out: string | undefined, input: number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') {
      console.log(USAGE);
      return 0;
    }
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--input') {
      const parsed = parseInput(args[++i]);
      if (typeof parsed === 'string') {
        console.error(`layerboard import: ${parsed}`);
        return 2;
      }
      input = parsed;
    } else if (!file) file = args[i];
    else {
      console.error(`layerboard import: unexpected '${args[i]}'\n\n${USAGE}`);
      return 2;
    }
  }
  if (!file) {
    console.error(`layerboard import: give a FILE\n\n${USAGE}`);
    return 2;
  }
  // A BOM is not part of the source (browsers drop it when the app reads a file; Python skips it).
  const text = stripBom(readFileSync(file === '-' ? 0 : file, 'utf8'));
  const parsed = parseModelText(text, input ? { input } : {});
  const at = (line: number | null) => (line === null ? file : `${file}:${line}`);
  for (const n of parsed.notes) console.error(`${at(n.line)}: note: ${n.message}`);
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`${at(e.line)}: error: ${e.message}`);
    return 1;
  }
  const name = parsed.doc.className ?? 'Sequential';
  console.error(
    `${file}: imported ${name} from ${parsed.kind}: ${formatImportSummary(parsed.doc, importSummary(parsed.doc))}`,
  );
  const json = serializeModelDocument(parsed.doc);
  if (out) writeFileSync(out, json);
  else process.stdout.write(json);
  return 0;
}
