import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { memoryLogger } from '../../core/logger.ts';

describe('mlops demo', () => {
  it('demo runs the registry lifecycle and prints each command with its output', async () => {
    const out: string[] = [];
    const log = memoryLogger();
    const t0 = Date.now();
    const code = await main(['demo', '--clean'], { out: (t) => out.push(t), log });
    const text = out.join('\n');
    expect(code, log.lines.join('\n')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(text).toContain('$ mlops init churn');
    expect(text).toMatch(/Registered churn v1 \(roc_auc 0\.842\)/);
    expect(text).toMatch(/Registered churn v2 \(roc_auc 0\.871\)/);
    expect(text).toMatch(/churn@champion -> v2 \(was v1, now archived\)/);
    expect(text).toMatch(/Rolled back churn@champion: v2 -> v1/);
    expect(text).toMatch(/churn v1 \[champion\] \(active\)/);
    expect(text).toMatch(/rolled back champion v2 -> v1/);
    expect(text).toMatch(/churn\s+v1\s+roc_auc ↑\s+0\.842\s+v2\s+2/);
    expect(text).toContain('Where everything went:');
  });
});
