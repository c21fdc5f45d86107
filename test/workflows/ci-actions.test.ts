import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-harness.ts';
import { loadWorkflow } from './support.ts';

const execFileP = promisify(execFile);
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** `${{ runner.temp }}` and `${{ steps.<id>.outputs.<name> }}` as the runner would expand them. */
function expand(
  value: unknown,
  ctx: { temp: string; outputs: Record<string, Record<string, string>> },
): string {
  return String(value).replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, expr: string) => {
    if (expr === 'runner.temp') return ctx.temp;
    const m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (m) return ctx.outputs[m[1]]?.[m[2]] ?? '';
    throw new Error(`the test cannot expand ${expr}`);
  });
}

describe('ci.yml actions job', () => {
  it('runs its steps as the runner would: ./actions/train from the bundle, then the check script', async () => {
    const job = loadWorkflow('.github/workflows/ci.yml').jobs.actions;
    const workspace = await mkdtemp(join(tmpdir(), 'mlops-ci-'));
    const temp = await mkdtemp(join(tmpdir(), 'mlops-ci-temp-'));
    temps.push(workspace, temp);
    const ctx = { temp, outputs: {} as Record<string, Record<string, string>> };
    let ran = 0;
    for (const step of job.steps ?? []) {
      if (step.uses?.startsWith('actions/checkout@')) continue;
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, ctx)]));
      if (step.uses) {
        const action = /^\.\/actions\/([a-z-]+)$/.exec(step.uses)![1];
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(v, ctx)]),
        );
        const res = await runAction({ action, cwd: workspace, inputs, env });
        expect(res.errors).toEqual([]);
        expect(res.code).toBe(0);
        if (step.id) ctx.outputs[step.id] = res.outputs;
      } else {
        await execFileP('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
          cwd: workspace,
          env: { ...process.env, ...env },
        });
      }
      ran++;
    }
    expect(ran).toBe(2);
    expect(ctx.outputs.train['exit-code']).toBe('0');
  });
});
