import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marker } from '../../github/forge.ts';
import { actionNode, inputEnvName, parseOutputFile, repoRoot, runAction } from '../support/action-harness.ts';
import { type GitHubServer, startGitHubServer } from '../support/github-server.ts';

let gh: GitHubServer;
let script: string;
const cwd = mkdtempSync(join(tmpdir(), 'mlops-harness-'));

beforeAll(async () => {
  script = join(cwd, 'tiny.mjs');
  await build({
    entryPoints: [new URL('./fixtures/tiny-action.ts', import.meta.url).pathname],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  gh = await startGitHubServer();
  gh.state.addRepo('octo-org/models');
});
afterAll(() => gh.stop());

const tiny = (inputs: Record<string, string>, extra: Partial<Parameters<typeof runAction>[0]> = {}) =>
  runAction({ action: 'tiny', script, cwd, apiUrl: gh.url, inputs, ...extra });

describe('runAction', () => {
  it('runAction runs a bundle under Node 24 with inputs, event, outputs and summary', async () => {
    const pr = gh.state.addPullRequest(gh.state.repo('octo-org/models'), {
      head: 'h',
      headSha: 'a'.repeat(40),
    });
    const event = {
      name: 'pull_request',
      payload: { action: 'opened', number: pr.number, pull_request: { number: pr.number } },
    };
    const first = await tiny({ 'model name': 'churn|<b>' }, { event, env: { GITHUB_SHA: 'b'.repeat(40) } });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.outputs).toMatchObject({ 'comment-action': 'created', 'note-given': 'false' });
    expect(JSON.parse(first.outputs.context)).toEqual({
      sha: 'b'.repeat(40),
      eventName: 'pull_request',
      runUrl: 'https://github.com/octo-org/models/actions/runs/4242',
    });
    expect(first.summary).toBe('## churn\\|&lt;b&gt;\n');
    const second = await tiny({ 'model name': 'churn|<b>', note: 'n' }, { event });
    expect(second.outputs).toMatchObject({ 'comment-action': 'unchanged', 'note-given': 'true' });
    expect(gh.state.repo('octo-org/models').comments.map((c) => c.body.split('\n')[0])).toEqual([
      marker('tiny', 'churn|<b>'),
    ]);
    expect(actionNode()).toBe(join(repoRoot, '.cache/node24/bin/node'));
  });

  it('runAction runs the bundle under Node 24, the runtime of node24 actions on GitHub', async () => {
    const probe = join(cwd, 'version.mjs');
    writeFileSync(probe, 'process.stdout.write(process.version);\n');
    const r = await runAction({ action: 'tiny', script: probe, cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v24\./);
  });

  it('runAction reports a missing required input as a failure naming it, with exit code 2', async () => {
    const r = await tiny({});
    expect(r.code).toBe(2);
    expect(r.errors).toEqual(["tiny: input 'model name' is required and was not given"]);
  });

  it('runAction reports a gate failure with exit code 1 and a thrown string as a failure', async () => {
    const gate = await tiny({ 'model name': 'm', gate: 'true' });
    expect([gate.code, gate.errors]).toEqual([1, ['tiny: gate failed for m']]);
    const str = await tiny({ 'model name': 'm', 'throw-string': 'true' });
    expect([str.code, str.errors]).toEqual([1, ['tiny: non-Error thrown: a string']]);
  });

  it('runAction masks the token and inputEnvName follows the runner', async () => {
    const r = await tiny(
      { 'model name': 'm' },
      {
        env: { GITHUB_TOKEN: 'ghs_abc123secret' },
        event: { name: 'pull_request', payload: { pull_request: { number: 999 } } },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::add-mask::ghs_abc123secret');
    expect(r.errors.join('\n')).not.toContain('ghs_abc123secret');
    expect(inputEnvName('model name')).toBe('INPUT_MODEL_NAME');
    expect(inputEnvName('github-token')).toBe('INPUT_GITHUB-TOKEN');
    expect(parseOutputFile('a=1\nb<<EOF\nx\ny\nEOF\n')).toEqual({ a: '1', b: 'x\ny' });
  });
});
