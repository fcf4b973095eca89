// `layerboard board --logdir DIR [--port 6006] [--host 127.0.0.1] [--dist DIR]`, as
// `tensorboard --logdir`: serves the built app (built first when missing) and the logdir
// under /__logdir__/ — the file list with sizes, and each file from an offset — so that
// the Board follows the folder live: new runs, new files and appended records appear
// within about a second. Runs are named by their subfolder.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { build, preview, type Plugin } from 'vite';
import { listLogdir, readLogdirFile } from './logdir.ts';

export const LOGDIR_API = '/__logdir__';

function logdirPlugin(root: string): Plugin {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname === '/list') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ logdir: root, files: await listLogdir(root) }));
      } else if (url.pathname === '/file') {
        const bytes = await readLogdirFile(
          root,
          url.searchParams.get('path') ?? '',
          Number(url.searchParams.get('from')) || 0,
        );
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(bytes);
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    } catch (e) {
      res.statusCode = 400;
      res.end(e instanceof Error ? e.message : String(e));
    }
  };
  return {
    name: 'layerboard-logdir',
    configurePreviewServer(server) {
      server.middlewares.use(LOGDIR_API, (req, res) => {
        void handle(req, res);
      });
    },
  };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function runBoard(args: string[]): Promise<number> {
  const logdir = option(args, '--logdir');
  if (!logdir) {
    console.error('usage: layerboard board --logdir DIR [--port 6006] [--host 127.0.0.1] [--dist DIR]');
    return 2;
  }
  if (!existsSync(logdir)) {
    console.error(`layerboard board: no folder ${logdir}`);
    return 2;
  }
  const port = Number(option(args, '--port') ?? 6006);
  const host = option(args, '--host') ?? '127.0.0.1';
  const outDir = resolve(option(args, '--dist') ?? 'dist');
  if (!existsSync(resolve(outDir, 'index.html'))) {
    console.log(`building the app into ${outDir} …`);
    await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  }
  const server = await preview({
    preview: { port, host, strictPort: port !== 0 },
    build: { outDir },
    logLevel: 'warn',
    plugins: [logdirPlugin(resolve(logdir))],
  });
  const url = server.resolvedUrls?.local[0] ?? `http://${host}:${port}/`;
  console.log(`Layerboard: ${url}#board  (following ${resolve(logdir)}; Ctrl+C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => {
      void server.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
