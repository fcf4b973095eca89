// `layerboard export MODEL.json --format pytorch|repr|json [--out FILE]`
import { readFileSync, writeFileSync } from 'node:fs';
import { parseModelDocument, serializeModelDocument } from '../core/model/model-json.ts';
import { moduleRepr, pythonSource } from '../core/python/pytorch-export.ts';
import type { ModelDocument } from '../core/model/types.ts';
import { writeProject } from './export-project.ts';

const USAGE = `usage: layerboard export MODEL.json --format pytorch|repr|json|pytorch-project [--out FILE|DIR]

  pytorch  Python source of the module (class, forward, a __main__ smoke check)
  repr     print(model) of that module, exactly as PyTorch prints it
  json     the model file in canonical form (checked, keys in a stable order)
  pytorch-project  model.py + train.py + README.md written into --out DIR`;

const FORMATS: Record<string, (doc: ModelDocument) => string> = {
  pytorch: pythonSource,
  repr: (doc) => `${moduleRepr(doc)}\n`,
  json: serializeModelDocument,
};

interface ExportArgs {
  file: string;
  format: string;
  out?: string;
}

function parseArgs(args: string[]): ExportArgs | string {
  const rest: string[] = [];
  let format: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') ? a.split('=', 2) : [a, undefined];
    if (flag === '--format' || flag === '--out') {
      const v = inline ?? args[++i];
      if (v === undefined) return `${flag} needs a value`;
      if (flag === '--format') format = v;
      else out = v;
    } else if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    else rest.push(a);
  }
  if (rest.length !== 1)
    return rest.length === 0 ? 'give one MODEL.json' : `give one MODEL.json, got ${rest.length} files`;
  if (!format) return '--format is required';
  if (!Object.hasOwn(FORMATS, format) && format !== 'pytorch-project')
    return `unknown format '${format}'; use ${Object.keys(FORMATS).join(', ')}`;
  return { file: rest[0], format, out };
}

export async function runExport(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    console.error(`layerboard export: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(parsed.file === '-' ? 0 : parsed.file, 'utf8');
  } catch (err) {
    console.error(`layerboard export: cannot read ${parsed.file}: ${(err as Error).message}`);
    return 1;
  }
  const result = parseModelDocument(text);
  if (!result.ok) {
    for (const e of result.errors) console.error(`${parsed.file}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
    return 1;
  }
  if (parsed.format === 'pytorch-project') {
    if (!parsed.out) {
      console.error('layerboard export: --format pytorch-project needs --out DIR');
      return 2;
    }
    try {
      for (const path of writeProject(result.doc, parsed.out)) console.log(`wrote ${path}`);
    } catch (err) {
      console.error(`layerboard export: ${(err as Error).message}`);
      return 1;
    }
    return 0;
  }
  const output = FORMATS[parsed.format](result.doc);
  if (parsed.out) writeFileSync(parsed.out, output);
  else process.stdout.write(output);
  return 0;
}
