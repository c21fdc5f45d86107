import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../registry/index.ts';
import {
  formatPromotionTag,
  parsePromotionTag,
  promotionTagName,
  readPromotionTags,
  withPromotions,
} from '../../registry/tags.ts';
import { createRemote, git, type TestRemote } from '../support/git.ts';

let r: TestRemote;
const sha: Record<string, string> = {};

/** An empty commit on the current branch of the clone. */
async function commit(name: string): Promise<string> {
  await git(r.clone, 'commit', '-q', '--allow-empty', '-m', name);
  sha[name] = await git(r.clone, 'rev-parse', 'HEAD');
  return sha[name];
}

const tag = (name: string, at: string, message: string) =>
  git(r.clone, 'tag', '-a', name, at, '-m', message.trimEnd());

beforeAll(async () => {
  r = await createRemote();
  await commit('promote-v2');
  await commit('merge-v2');
  await tag(
    'churn@v2',
    sha['merge-v2'],
    formatPromotionTag({
      model: 'churn',
      change: { alias: 'champion', from: 1, to: 2 },
      pr: 12,
      approvers: ['alice', 'bob'],
      metrics: { roc_auc: 0.91, brier: null },
    }),
  );
  await commit('later-move-to-v2');
  await git(r.clone, 'tag', 'churn@v3', sha['later-move-to-v2']);
  await tag(
    'churn-x@v1',
    sha['merge-v2'],
    formatPromotionTag({ model: 'churn-x', change: { alias: 'champion', to: 1 }, approvers: [] }),
  );
});
afterAll(() => r.cleanup());

describe('promotion tags', () => {
  it('formatPromotionTag and parsePromotionTag round-trip a grouped model, dropping null metrics', () => {
    const name = promotionTagName('team/churn', 7);
    expect(name).toBe('team/churn@v7');
    const text = formatPromotionTag({
      model: 'team/churn',
      change: { alias: 'production', from: 6, to: 7 },
      pr: 3,
      approvers: ['alice'],
      metrics: { 'f1@0.5': 0.7, log_loss: null },
    });
    expect(text).toContain('Mlops-Event: alias_moved team/churn production v6 -> v7');
    expect(parsePromotionTag(name, text)).toEqual({
      tag: name,
      version: 7,
      event: 0,
      alias: 'production',
      from: 6,
      pr: 3,
      approvers: ['alice'],
      metrics: { 'f1@0.5': 0.7 },
    });
  });

  it("readPromotionTags reads only the model's own tags, with the commit each points at", async () => {
    const tags = await readPromotionTags(r.clone, 'churn');
    expect(tags.map((t) => t.tag).sort()).toEqual(['churn@v2', 'churn@v3']);
    const v2 = tags.find((t) => t.tag === 'churn@v2');
    expect(v2).toMatchObject({ commit: sha['merge-v2'], pr: 12, approvers: ['alice', 'bob'], from: 1 });
    expect(v2?.metrics).toEqual({ roc_auc: 0.91 });
    expect(tags.find((t) => t.tag === 'churn@v3')).toMatchObject({ commit: sha['later-move-to-v2'] });
  });

  it('withPromotions annotates the newest matching move the tagged commit contains, once', async () => {
    const ev = (name: string, fields: Partial<RegistryEvent>): RegistryEvent => ({
      type: 'alias_moved',
      model: 'churn',
      version: 2,
      alias: 'champion',
      from: 1,
      commit: sha[name],
      author: 'carol <c@x>',
      time: '2026-01-01T00:00:00Z',
      message: name,
      ...fields,
    });
    const events = [
      ev('later-move-to-v2', {}), // same move, but after the tagged merge: not the one the tag records
      ev('merge-v2', { type: 'archived', alias: undefined, from: undefined, version: 1 }),
      ev('promote-v2', {}),
      ev('promote-v2', { type: 'alias_set', from: undefined, version: 1 }),
    ];
    const tags = (await readPromotionTags(r.clone, 'churn')).filter((t) => t.tag === 'churn@v2');
    const out = await withPromotions(r.clone, events, [...tags, ...tags]);
    expect(out.map((e) => e.pr)).toEqual([undefined, undefined, 12, undefined]);
    expect(out[2]).toMatchObject({
      tag: 'churn@v2',
      approvers: ['alice', 'bob'],
      metrics: { roc_auc: 0.91 },
    });
    expect(events[2]).not.toHaveProperty('pr');
  });
});
