import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where screenshot tests write: docs/screenshots/ (for the README) when
 * LAYERBOARD_SCREENSHOTS=1, else a temporary folder, so a plain run leaves the tree clean.
 */
export function screenshotDir(): string {
  const dir =
    process.env.LAYERBOARD_SCREENSHOTS === '1'
      ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
      : mkdtempSync(join(tmpdir(), 'layerboard-shots-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}
