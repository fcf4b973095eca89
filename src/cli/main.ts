// The `layerboard` command line. Run from a checkout: npm run -s cli -- <command> ...
import { runBench } from './bench.ts';
import { runBoard } from './board.ts';
import { runInspect } from './inspect.ts';
import { runBenchShapes } from './bench-shapes.ts';
import { runConformance } from './conformance.ts';
import { runExport } from './export.ts';
import { runImport } from './import.ts';
import { runSummary } from './summary.ts';
import { runTrain } from './train.ts';

const USAGE = `usage: layerboard <command> [options]

commands:
  summary MODEL.json [--input N,C,H,W]        torchinfo-style summary (exit 1 on a shape error)
  export MODEL.json --format pytorch|repr|json  print the model as PyTorch code, print(model) text or JSON
  import FILE [--input C,H,W] [--out MODEL.json]  print(model) text or Python source to a model file (parsed, never run)
  conformance CASES.json RESULTS.json          answer PyTorch conformance cases (../shared/conformance)
  train MODEL.json [options]                   train in Node with the engine (train --help for options)
  bench [--json] [--quick]                     engine speed and memory benchmark (CIFAR-10 BS model)
  bench-shapes [--layers 200] [--runs 400] [--json]  the editor's shape re-check time after one edit
  board --logdir DIR [--port 6006]             serve the app and follow a TensorBoard logdir live (like tensorboard --logdir)
  inspect --logdir DIR [--json]                each run's tags, kinds, step ranges and counts, and damaged files (like tensorboard --inspect)`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  bench: runBench,
  'bench-shapes': runBenchShapes,
  board: runBoard,
  inspect: runInspect,
  conformance: runConformance,
  export: runExport,
  import: runImport,
  summary: runSummary,
  train: runTrain,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`layerboard: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`layerboard: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
