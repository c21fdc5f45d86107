import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: bundle the actions once before any test runs, so tests run `actions/<name>/dist/index.js`
 * as the runner does. The build only rewrites files whose content changed, so with committed, up-to-date bundles
 * (CI checks that first) it writes nothing.
 */
export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--quiet'], { stdio: 'inherit' });
}
