import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup, once per test run: install Node 24 into `.cache/node24` (`scripts/install-node24.sh`,
 * idempotent: it returns at once when present), which the action harness runs bundles with as GitHub's runners
 * do, then bundle the actions so tests run `actions/<name>/dist/index.js`. The build only rewrites files whose
 * content changed, so with committed, up-to-date bundles (CI checks that first) it writes nothing.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync('bash', [`${root}scripts/install-node24.sh`], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [`${root}scripts/build.mjs`, '--quiet'], { stdio: 'inherit', cwd: root });
}
