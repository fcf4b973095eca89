// The model file as text: pretty JSON in a stable key order, one layer module, forward
// node, block parameter or editor position per line; Sequentials and blocks indented.
import type { BlockDef, EditorView, ForwardGraph, ModelDocument, NamedModule } from './module-types.ts';
import { normalizeDocument, TOP_KEYS } from './model-json.ts';

/** Short values on one line: `[3, 32, 32]`, `{"type": "ReLU"}`. */
function inline(v: unknown): string {
  return JSON.stringify(v, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/([[{]) /g, '$1')
    .replace(/ ([\]}])/g, '$1');
}

function list(items: string[], indent: string): string {
  return items.length === 0 ? '[]' : `[\n${items.map((s) => `${indent}  ${s}`).join(',\n')}\n${indent}]`;
}

function fields(parts: [string, string][], indent: string): string {
  return `{\n${parts.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${v}`).join(',\n')}\n${indent}}`;
}

function moduleText(m: NamedModule, indent: string): string {
  if (!('sequential' in m)) return inline(m);
  return `{"name": ${JSON.stringify(m.name)}, "sequential": ${list(
    m.sequential.map((c) => moduleText(c, `${indent}  `)),
    indent,
  )}}`;
}

const modulesText = (modules: NamedModule[], indent: string): string =>
  list(
    modules.map((m) => moduleText(m, `${indent}  `)),
    indent,
  );

function forwardText(f: ForwardGraph | null, indent: string): string {
  if (f === null) return 'null';
  return fields(
    [
      ['nodes', list(f.nodes.map(inline), `${indent}  `)],
      ['output', JSON.stringify(f.output)],
    ],
    indent,
  );
}

function blockText(b: BlockDef, indent: string): string {
  return fields(
    [
      ['name', JSON.stringify(b.name)],
      ['params', inline(b.params)],
      ['modules', modulesText(b.modules, `${indent}  `)],
      ['forward', forwardText(b.forward, `${indent}  `)],
    ],
    indent,
  );
}

function editorText(editor: EditorView): string {
  const parts: [string, string][] = [];
  if (editor.input !== undefined) parts.push(['input', inline(editor.input)]);
  if (editor.positions !== undefined) {
    const entries = Object.entries(editor.positions);
    parts.push([
      'positions',
      entries.length === 0
        ? '{}'
        : fields(
            entries.map(([k, p]) => [k, inline(p)]),
            '    ',
          ),
    ]);
  }
  return parts.length === 0 ? '{}' : fields(parts, '  ');
}

/** Pretty JSON of a (valid) document, always version 2, keys in a stable order. */
export function serializeModelDocument(doc: ModelDocument): string {
  const d = normalizeDocument(doc);
  const entries = TOP_KEYS.filter((k) => d[k] !== undefined).map((k) => {
    const key = `  "${k}": `;
    switch (k) {
      case 'blocks':
        return `${key}${list(
          d.blocks!.map((b) => blockText(b, '    ')),
          '  ',
        )}`;
      case 'modules':
        return `${key}${modulesText(d.modules, '  ')}`;
      case 'forward':
        return `${key}${forwardText(d.forward, '  ')}`;
      case 'editor':
        return `${key}${editorText(d.editor!)}`;
      case 'training':
      case 'metadata':
        return `${key}${JSON.stringify(d[k], null, 2).replace(/\n/g, '\n  ')}`;
      default:
        return `${key}${inline(d[k])}`;
    }
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}
