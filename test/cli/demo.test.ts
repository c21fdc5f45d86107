import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../cli/main.ts';
import { memoryLogger } from '../../core/logger.ts';

const git = (gitDir: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });

let code: number;
let text: string;
let log: ReturnType<typeof memoryLogger>;
let seconds: number;
let root: string;
let repo: string;
let outbox: string;

beforeAll(async () => {
  const out: string[] = [];
  log = memoryLogger();
  const t0 = Date.now();
  code = await main(['demo'], { out: (t) => out.push(t), log });
  seconds = (Date.now() - t0) / 1000;
  text = out.join('\n');
  root = /throwaway repository \((\S+)\)/.exec(text)?.[1] ?? '';
  repo = join(root, 'repo');
  outbox = join(repo, '.mlops', 'outbox');
}, 120_000);

afterAll(() => {
  if (root.includes('mlops-demo-')) rmSync(root, { recursive: true, force: true });
});

/** The outbox's own index of what the local forge did. */
const state = () => JSON.parse(readFileSync(join(outbox, 'state.json'), 'utf8'));

/** The narration's step words in order (the lines that start with a step name). */
const steps = () =>
  text
    .slice(0, text.indexOf('The whole lifecycle took'))
    .split('\n')
    .map((l) => /^([a-z]+) {2,}/.exec(l)?.[1])
    .filter((w): w is string => w !== undefined);

describe('mlops demo', () => {
  it('demo runs the lifecycle in the order of issue 8 and exits 0 within the time budget', () => {
    expect(code, `${text}\n${log.lines.join('\n')}`).toBe(0);
    expect(seconds).toBeLessThan(60);
    expect(steps()).toEqual([
      'init',
      ...['train', 'track', 'evaluate', 'gate', 'finalise'],
      'drift',
      'retrain',
      ...['train', 'track', 'evaluate', 'gate', 'gate', 'finalise'],
      'drift',
      ...['rollback', 'evaluate', 'gate', 'finalise'],
      'history',
    ]);
    expect(text).toMatch(/^train {5}v1: .* on 800 patients of train-2026-01\.csv /m);
    expect(text).toMatch(
      /^evaluate {2}PASSED v1 on evaluation-2026-01\.csv \(600 rows\): roc_auc [\d.]+ \(first version/m,
    );
    expect(text).toMatch(/^finalise {2}champion -> v1; tag heart@v1$/m);
  });

  it('demo detects drift against v1 and the dispatch retrains v2 on the newer data', () => {
    expect(text).toMatch(
      /^drift {5}DRIFT production week 14 vs champion v1's training data: predictions shifted; 2\/8 features drifted \(age, cholesterol\)/m,
    );
    const issue = /^ {10}retraining issue #(\d+) created; retrain\.yml dispatched/m.exec(text)?.[1];
    expect(issue).toBeDefined();
    expect(text).toMatch(
      new RegExp(
        `^retrain {3}retrain\\.yml runs for the dispatch: model heart, issue #${issue}, reason "drift: `,
        'm',
      ),
    );
    expect(text).toMatch(/^train {5}v2: .* on 2000 patients of train-2026-04\.csv /m);
    const pr = /^track {5}heart v2 registered on branch mlops\/heart\/v2; opened PR #(\d+)/m.exec(text)?.[1];
    expect(text).toMatch(
      new RegExp(`^gate {6}BLOCKED PR #${pr}: 0 of 1 required approval on [0-9a-f]{7} from @alice`, 'm'),
    );
    expect(text).toMatch(
      /^evaluate {2}PASSED v2 vs champion v1 on evaluation-2026-04\.csv \(600 rows\): roc_auc [\d.]+ vs [\d.]+ \([-+][\d.]+, DeLong p=/m,
    );
    expect(text).toMatch(
      /^ {10}paired bootstrap \(1000 resamples, 95% CI\): log_loss -[\d.]+ \[-[\d.]+, -[\d.]+\], brier_score_loss /m,
    );
    expect(text).toMatch(/^finalise {2}champion v1 -> v2; tag heart@v2; archived v1$/m);
    // The dispatch came first, and its inputs drove the run: the model trained and the reason recorded.
    const [dispatch] = JSON.parse(readFileSync(join(outbox, 'dispatches.json'), 'utf8'));
    const record = parseYaml(
      git(join(root, 'remote.git'), 'show', 'main:models/heart/versions/v2/version.yaml'),
    );
    expect(Date.parse(record.created)).toBeGreaterThan(Date.parse(dispatch.at));
    expect(record.description).toBe(`Retrained (${dispatch.inputs.reason}), drift issue ${issue}`);
    expect(record.data.map((x: { uri: string }) => x.uri.split('/').pop())).toEqual(['train-2026-04.csv']);
  });

  it('demo closes the retraining issue when the same week shows no drift against v2, then rolls back', () => {
    expect(text).toMatch(
      /^drift {5}CLEAN production week 14 vs champion v2's training data: 0\/8 features drifted, predictions and labels steady/m,
    );
    expect(text).toMatch(/^ {10}retraining issue #\d+ closed: the drift cleared/m);
    expect(text).toMatch(/^rollback {2}PR #\d+ opened: "Roll back heart champion to v1"/m);
    expect(text).toMatch(/^evaluate {2}PASSED v1 vs champion v2 on evaluation-2026-04\.csv/m);
    expect(text).toMatch(/^finalise {2}champion v2 -> v1; tag heart@v1-promoted-1, heart@v1 \(kept\)$/m);
  });

  it('demo leaves the champion at v1 after the rollback, with the promotion tags on the remote', () => {
    const remote = join(root, 'remote.git');
    const aliases = parseYaml(git(remote, 'show', 'main:models/heart/aliases.yaml'));
    expect(aliases.aliases).toEqual({ champion: 1 });
    expect(aliases.archived).toEqual([2]);
    expect(git(remote, 'tag', '--list').split('\n').filter(Boolean).sort()).toEqual([
      'heart@v1',
      'heart@v1-promoted-1',
      'heart@v2',
    ]);
    const record = parseYaml(git(remote, 'show', 'main:models/heart/versions/v2/version.yaml'));
    expect(record.artifacts.map((a: { path: string }) => a.path)).toEqual([
      'model.onnx',
      'reference-profile.json',
    ]);
    const onnx = record.artifacts[0];
    expect(onnx.bytes).toBeGreaterThan(100);
    expect(existsSync(onnx.uri.replace(/^file:\/\//, ''))).toBe(true);
    expect(readFileSync(join(repo, 'models/heart/README.md'), 'utf8')).toMatch(/\| champion \| active/);
    expect(state().pulls.map((p: { merged: boolean }) => p.merged)).toEqual([true, true, true]);
  });

  it('demo writes the evaluation comments with the verdict and the comparison with the champion', () => {
    const comments = state().comments as { body: string; url: string }[];
    const evaluations = comments.filter((c) => c.body.includes('<!-- mlops:evaluate:heart -->'));
    expect(evaluations).toHaveLength(3);
    expect(evaluations[0].body).toContain('mlops evaluate: heart v1');
    expect(evaluations[0].body).toContain('**Passed**');
    const v2 = readFileSync(evaluations[1].url, 'utf8');
    expect(v2).toContain('heart v2 vs v1');
    expect(v2).toContain('**Passed**');
    expect(v2).toMatch(/DeLong p = \d/);
    expect(v2).toMatch(/\| log\\_loss \| [\d.]+ \| [\d.]+ \| [−+][\d.]+ \| \[[−+][\d.]+, [−+][\d.]+\] \|/);
    const checks = state().checks as { name: string; conclusion: string }[];
    expect(checks.filter((c) => c.name === 'mlops/evaluate (heart)').map((c) => c.conclusion)).toEqual([
      'success',
      'success',
      'success',
    ]);
    expect(checks.filter((c) => c.name === 'mlops/promotion-gate (heart)').map((c) => c.conclusion)).toEqual([
      'success',
      'success',
      'success',
    ]);
  });

  it('demo records one retrain dispatch and leaves the retraining issue closed with both runs in its trend', () => {
    const issues = state().issues as { number: number; title: string; state: string; labels: string[] }[];
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ title: 'Data drift detected: retrain heart', state: 'closed' });
    expect(issues[0].labels).toContain('mlops:drift');
    const body = readFileSync(join(outbox, 'issues', `${issues[0].number}.md`), 'utf8');
    expect(body).toMatch(/^state: closed;/m);
    expect(body).toMatch(/🟢 clean[\s\S]*🔴 drift/);
    const closing = (state().comments as { issue: number; body: string }[]).filter(
      (c) => c.issue === issues[0].number,
    );
    expect(closing.map((c) => c.body)).toEqual([
      expect.stringMatching(/^No drift in 1 run\(s\) in a row .*closing/),
    ]);
    const dispatches = JSON.parse(readFileSync(join(outbox, 'dispatches.json'), 'utf8'));
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({
      workflow: 'retrain.yml',
      ref: 'main',
      inputs: { model: 'heart', issue: String(issues[0].number), reason: expect.stringMatching(/^drift: /) },
    });
    const before = readFileSync(join(repo, '.mlops/reports/drift-heart-vs-v1.html'), 'utf8');
    expect(before).toMatch(/^<!doctype html>/i);
    expect(before).toContain('age');
    expect(existsSync(join(repo, '.mlops/reports/drift-heart-vs-v2.html'))).toBe(true);
  });

  it('demo prints only paths that exist', () => {
    const where = text.slice(text.indexOf('Where everything went'));
    const paths = [...where.matchAll(/(?:^| )((?:\/|\.mlops\/|models\/)[^\s,()]+)/gm)].map((m) =>
      m[1].replace(/^file:\/\//, '').replace(/\/<n>\.md$|\/$/, ''),
    );
    expect(paths.length).toBeGreaterThan(8);
    for (const p of paths) {
      if (p.includes('v1..v') || p.includes('*')) continue;
      expect(existsSync(p.startsWith('/') ? p : join(repo, p)), p).toBe(true);
    }
  });
});

describe('mlops demo: --json, failures, bad input', () => {
  it('demo --json narrates on stderr and prints one JSON summary on stdout', async () => {
    const out: string[] = [];
    const jlog = memoryLogger();
    const jcode = await main(['demo', '--json', '--clean'], { out: (t) => out.push(t), log: jlog });
    expect(jcode, jlog.lines.join('\n')).toBe(0);
    expect(out).toHaveLength(1);
    const summary = JSON.parse(out[0]);
    expect(summary).toMatchObject({
      ok: true,
      removed: true,
      champion: 'v1',
      tags: ['heart@v1', 'heart@v1-promoted-1', 'heart@v2'],
      issue: { state: 'closed' },
      retrain: { version: 'v2', dispatch: { workflow: 'retrain.yml', inputs: { model: 'heart' } } },
    });
    expect(summary.issue.file).toMatch(/\.mlops\/outbox\/issues\/\d+\.md$/);
    expect(existsSync(summary.root)).toBe(false);
    expect(jlog.lines.join('\n')).toMatch(
      /^history {3}7 events read back from Git \(oldest first\): registered v1, champion -> v1,/m,
    );
  }, 120_000);

  it('demo stops with exit 1 and the end of the trainer log when training fails', async () => {
    const out: string[] = [];
    const flog = memoryLogger();
    const env = { ...process.env, NODE_OPTIONS: '--require ./no-such-preload-for-the-demo.cjs' };
    const fcode = await main(['demo', '--clean'], { out: (t) => out.push(t), log: flog, env });
    expect(fcode).toBe(1);
    const errors = flog.lines.join('\n');
    expect(errors).toMatch(
      /demo failed: the example trainer exited with code 1; the end of work\/v1\/train\.log:/,
    );
    expect(errors).toContain('no-such-preload-for-the-demo.cjs');
    const failedRoot = /The demo stopped; everything so far is in (\S+)/.exec(out.join('\n'))?.[1] ?? '';
    expect(failedRoot).toMatch(/mlops-demo-/);
    expect(out.join('\n')).not.toMatch(/^train /m);
    rmSync(failedRoot, { recursive: true, force: true });
  }, 60_000);

  it('demo refuses an unexpected argument with exit 2', async () => {
    const elog = memoryLogger();
    expect(await main(['demo', 'extra'], { out: () => {}, log: elog })).toBe(2);
    expect(elog.lines.join('\n')).toContain("unexpected argument 'extra'");
  });
});
