import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';

// Build once, serve the production bundle on a free localhost port for every test file.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await build({ logLevel: 'warn' });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => { await server.close(); };
}

declare module 'vitest' {
  export interface ProvidedContext { baseUrl: string }
}
