// `layerboard import FILE [--input C,H,W] [--out MODEL.json]`: a PyTorch print(model)
// text or Python source that builds the model, to a model file. Parsed, never run.
import { stripBom } from '../core/formats/json-syntax.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { newModelDocument, parseModelDocument, serializeModelDocument } from '../core/model/model-json.ts';
import { parseModelText } from '../core/python/model-text.ts';

// Kept here for callers of the CLI module; the rule lives in core (the UI uses it too).
export { looksLikeRepr } from '../core/python/model-text.ts';

const USAGE = `usage: layerboard import FILE [--input C,H,W] [--out MODEL.json]

  FILE    print(model) text from PyTorch, or Python source building an nn.Sequential
          (or a class holding one, or layers called in forward) — read, never executed
  --input the model's input shape without the batch (default 3,32,32 for a first Conv2d
          with 3 input channels, 1,28,28 for 1 channel, else [in_features])`;

function guessInput(first: Record<string, unknown> | undefined): number[] {
  if (!first) return [1, 28, 28];
  if (first.type === 'Conv2d') return first.in_channels === 3 ? [3, 32, 32] : [Number(first.in_channels), 28, 28];
  if (first.type === 'Linear') return [Number(first.in_features)];
  if (first.type === 'BatchNorm2d') return [Number(first.num_features), 28, 28];
  return [1, 28, 28];
}

export async function runImport(args: string[]): Promise<number> {
  let file: string | undefined, out: string | undefined, input: number[] | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') { console.log(USAGE); return 0; }
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--input') input = (args[++i] ?? '').split(',').map(Number);
    else if (!file) file = args[i];
    else { console.error(`layerboard import: unexpected '${args[i]}'\n\n${USAGE}`); return 2; }
  }
  if (!file) { console.error(`layerboard import: give a FILE\n\n${USAGE}`); return 2; }
  // A BOM is not part of the source (browsers drop it when the app reads a file; Python skips it).
  const text = stripBom(readFileSync(file === '-' ? 0 : file, 'utf8'));
  const parsed = parseModelText(text);
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`${file}:${e.line}: ${e.message}`);
    return 1;
  }
  const doc = { ...newModelDocument(input ?? guessInput(parsed.layers[0]), parsed.layers, parsed.names), ...(parsed.className ? { className: parsed.className } : {}) };
  const checked = parseModelDocument(doc);
  if (!checked.ok) {
    for (const e of checked.errors) console.error(`${file}: ${e.path}: ${e.message}`);
    return 1;
  }
  const json = serializeModelDocument(checked.doc);
  if (out) writeFileSync(out, json); else process.stdout.write(json);
  return 0;
}
