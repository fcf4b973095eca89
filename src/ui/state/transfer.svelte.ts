// Model files in and out: export the open model as JSON, import JSON (file picker or a
// drop on the canvas) or pasted print(model) text as a new project. A bad file never
// touches the open project: its problems are listed with their JSON paths instead.
import { createContext } from 'svelte';
import { parseModelDocument, serializeModelDocument, type DocError } from '../../core/model/model-json.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import type { EditorState } from './editor.svelte.ts';
import type { ProjectsState } from './projects.svelte.ts';

export interface ImportFailure {
  file: string;
  errors: DocError[];
}

export class TransferState {
  readonly #editor: EditorState;
  readonly #projects: ProjectsState;
  importFailure = $state.raw<ImportFailure | null>(null);
  pasteOpen = $state(false);

  constructor(editor: EditorState, projects: ProjectsState) {
    this.#editor = editor;
    this.#projects = projects;
  }

  /** The document as exported: the model plus the project's name as metadata. */
  exportText(): string {
    const doc: ModelDocument = structuredClone(this.#editor.document);
    const name = this.#projects.current?.name;
    if (name) doc.metadata = { ...doc.metadata, name };
    return serializeModelDocument(doc);
  }

  download(): void {
    const name = this.#projects.current?.name ?? 'model';
    const blob = new Blob([this.exportText()], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${fileStem(name)}.layerboard.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** Imports each file as a new project; stops at the first bad one and reports it. */
  async importFiles(files: File[]): Promise<void> {
    for (const file of files) {
      const result = parseModelDocument(await file.text());
      if (!result.ok) {
        this.importFailure = { file: file.name, errors: result.errors };
        return;
      }
      const stem = file.name.replace(/(\.layerboard)?\.json$/i, '');
      await this.#projects.createFromDocument(result.doc, result.doc.metadata?.name ?? stem);
    }
  }
}

function fileStem(name: string): string {
  return (
    name
      .trim()
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'model'
  );
}

export const [getTransfer, setTransfer] = createContext<TransferState>();
