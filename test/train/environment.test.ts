import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectContainer } from '../../actions/train/src/environment.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mlops-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake filesystem root holding `files` (path → content). */
function rootWith(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe('container detection', () => {
  it('detectContainer records the named image, and never guesses one it was not told', () => {
    const docker = rootWith('docker', { '.dockerenv': '' });
    expect(detectContainer({ MLOPS_CONTAINER_IMAGE: 'ghcr.io/acme/train:1.2' }, docker)).toBe(
      'ghcr.io/acme/train:1.2',
    );
    expect(detectContainer({ CONTAINER_IMAGE: 'pytorch/pytorch:2.5' }, rootWith('bare', {}))).toBe(
      'pytorch/pytorch:2.5',
    );
    expect(detectContainer({ MLOPS_CONTAINER_IMAGE: '' }, docker)).toBe(
      'unknown image (container: /.dockerenv)',
    );
  });

  it('detectContainer sees podman, cgroup v1 and mount evidence, and nothing on a plain host', () => {
    expect(detectContainer({}, rootWith('podman', { 'run/.containerenv': 'engine="podman"\n' }))).toBe(
      'unknown image (container: /run/.containerenv)',
    );
    const k8s = rootWith('k8s', {
      'proc/1/cgroup': '12:memory:/kubepods/burstable/pod1234/abcdef\n0::/\n',
    });
    expect(detectContainer({}, k8s)).toBe('unknown image (container: /proc/1/cgroup)');
    const v2 = rootWith('cgroup2', {
      'proc/1/cgroup': '0::/\n',
      'proc/self/mountinfo':
        '612 590 259:1 /var/lib/docker/containers/0123abcd/hostname /etc/hostname rw,relatime - ext4 /dev/root rw\n',
    });
    expect(detectContainer({}, v2)).toBe('unknown image (container: /proc/self/mountinfo)');
    const host = rootWith('host', {
      'proc/1/cgroup': '0::/init.scope\n',
      'proc/self/cgroup': '0::/user.slice/user-1000.slice/session-3.scope\n',
      'proc/self/mountinfo': '22 1 259:1 / / rw,relatime - ext4 /dev/root rw\n',
    });
    expect(detectContainer({}, host)).toBeUndefined();
  });
});
