// The IndexedDB schema (dexie). Every table of DESIGN.md's data model is declared here;
// a change of schema is a new `version(n)` with an upgrade, never an edit of an old one,
// so data written by an older build keeps opening.
import { Dexie, type EntityTable, type Table } from 'dexie';
import type { EditorEdge, EditorNode } from '../core/editor/graph-model.ts';
import type { ClassCounts, LbdsHeader } from '../core/formats/lbds.ts';
import { migrateV1 } from '../core/model/model-v1.ts';
import type { ModelDocument, ModelDocumentV1 } from '../core/model/types.ts';
import type { RunDataset, RunStatus, TestResult } from '../core/run/records.ts';
import type { TrainingConfig } from '../core/run/training-config.ts';
import type { TrainState } from '../core/run/train-state.ts';
import type { SummaryKind } from '../core/formats/tfevents/summary-value.ts';
import { moveScalarsIntoBlocks, upgradeRunContract } from './migrations.ts';

export type { RunStatus };

export const DB_NAME = 'layerboard';

/** The editor's nodes and edges are stored as they are (one type, with their positions). */
export type { EditorEdge, EditorNode };

/**
 * The editor's own view of a project: the whole graph, including blocks not (yet)
 * connected to the chain, which a ModelDocument cannot hold, and the viewport.
 */
export interface ProjectView {
  graph?: { nodes: EditorNode[]; edges: EditorEdge[] };
  viewport?: { x: number; y: number; zoom: number };
}

export interface ProjectRecord {
  id: string;
  name: string;
  /** The model as its document (the chain from the Input). */
  doc: ModelDocument;
  view?: ProjectView;
  created: number;
  updated: number;
}

export interface RunRecord {
  id: string;
  projectId: string | null;
  name: string;
  created: number;
  ended: number | null;
  status: RunStatus;
  message?: string;
  doc: ModelDocument;
  /** How it trained; null for runs imported from TensorBoard logs, which do not say. */
  config: TrainingConfig | null;
  /** What it trained on (absent for runs imported from TensorBoard logs). */
  dataset?: RunDataset;
  /** The last evaluation of its weights on the test split. */
  test?: TestResult;
  metrics?: Record<string, number>;
  backend?: string;
  /** state_dict: parameter and buffer name to its values. */
  weights?: Record<string, { shape: number[]; data: Float32Array }>;
  /** Saved with the weights: the optimizer's and scheduler's state, which "Continue training" resumes. */
  trainState?: TrainState;
}

/** One scalar point, as the repositories hand it out (stored in ScalarBlockRecords). */
export interface ScalarRecord {
  runId: string;
  tag: string;
  step: number;
  wallTime: number;
  value: number;
}
/** Up to SCALAR_BLOCK points of one run's tag, sorted by step (see scalar-blocks.ts). */
export interface ScalarBlockRecord {
  id?: number;
  runId: string;
  tag: string;
  first: number;
  last: number;
  count: number;
  steps: Float64Array;
  wallTimes: Float64Array;
  values: Float64Array;
}
/** A block's points as columns (what the board appends without making a record per point). */
export type ScalarColumns = Pick<ScalarBlockRecord, 'steps' | 'wallTimes' | 'values' | 'count'>;
/** graph: the ModuleGraph the board draws; graphDef: add_graph's GraphDef bytes when the run came from event files (written back as they came). */
export interface GraphRecord {
  runId: string;
  graph: unknown;
  graphDef?: Uint8Array;
}
/**
 * A summary beyond scalars, in TensorBoard's own encoding: one Summary.Value (histogram,
 * image, text, PR curve, hparams, or a kind the board does not show), kept byte for byte.
 */
export interface SummaryRecord {
  id?: number;
  runId: string;
  tag: string;
  step: number;
  wallTime: number;
  kind: SummaryKind;
  value: Uint8Array;
}
export interface TextRecord {
  id?: number;
  runId: string;
  tag: string;
  step: number;
  text: string;
}
export interface HparamsRecord {
  runId: string;
  hparams: Record<string, unknown>;
  metrics: Record<string, number>;
}
/** What a stored dataset holds; its LBDS bytes are cut into datasetChunks. */
export interface StoredManifest {
  header: LbdsHeader;
  /** Total LBDS bytes across the chunks. */
  bytes: number;
  chunks: number;
  counts: ClassCounts;
  /** A built-in dataset's content hash (static/datasets/index.json): a copy with another one is stale. */
  version?: string;
}
/** kind: 'cifar10' | 'imagefolder' (imports) or 'builtin' (a cached built-in dataset). */
export interface DatasetRecord {
  id: string;
  name: string;
  kind: string;
  created: number;
  manifest: StoredManifest;
}
export interface DatasetChunkRecord {
  datasetId: string;
  index: number;
  data: ArrayBuffer;
}

/**
 * How a record with a model is written: the document is opaque to dexie's key-path typing
 * of updates, which cannot follow the recursive module type (Sequentials nest).
 */
type Stored<T extends { doc: ModelDocument }> = Omit<T, 'doc'> & { doc: object };

export type LayerboardDB = Dexie & {
  projects: Table<ProjectRecord, string, Stored<ProjectRecord>>;
  runs: Table<RunRecord, string, Stored<RunRecord>>;
  scalarBlocks: EntityTable<ScalarBlockRecord, 'id'>;
  graphs: EntityTable<GraphRecord, 'runId'>;
  texts: EntityTable<TextRecord, 'id'>;
  hparams: EntityTable<HparamsRecord, 'runId'>;
  summaries: EntityTable<SummaryRecord, 'id'>;
  datasets: EntityTable<DatasetRecord, 'id'>;
  datasetChunks: Table<DatasetChunkRecord, [string, number]>;
};

/** Opens (lazily) the app's database; `indexedDB` may be injected for Node tests. */
export function createDatabase(
  name = DB_NAME,
  options: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange } = {},
): LayerboardDB {
  const db = new Dexie(name, options) as LayerboardDB;
  db.version(1).stores({
    projects: 'id, name, updated',
    runs: 'id, projectId, created, status',
    scalars: '[runId+tag+step], runId, [runId+tag]',
    graphs: 'runId',
    texts: '++id, runId, [runId+tag]',
    hparams: 'runId',
    datasets: 'id, name, created',
    datasetChunks: '[datasetId+index], datasetId',
  });
  // Model format 2: stored version-1 documents (projects and runs) become version 2.
  db.version(2).upgrade(async (tx) => {
    const migrate = (r: { doc: ModelDocument | ModelDocumentV1 }) => {
      if (r.doc?.version === 1) r.doc = migrateV1(r.doc);
    };
    await tx.table('projects').toCollection().modify(migrate);
    await tx.table('runs').toCollection().modify(migrate);
  });
  // Histograms, images, text, PR curves, hparams and other summaries, as TensorBoard encodes them.
  db.version(3).stores({ summaries: '++id, runId, [runId+kind], [runId+tag]' });
  // v4: typed training configs (doc.training, runs' config) and a run's dataset and test
  // result as fields instead of JSON texts. Same tables and indexes.
  db.version(4).upgrade(upgradeRunContract);
  // v5: scalars in blocks of points (scalar-blocks.ts), moved over from a record per point.
  db.version(5).stores({ scalarBlocks: '++id, runId, [runId+tag+last+count]' }).upgrade(moveScalarsIntoBlocks);
  db.version(6).stores({ scalars: null });
  return db;
}
