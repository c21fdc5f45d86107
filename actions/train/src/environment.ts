/**
 * Captures the environment a run trained in: OS, CPU, memory, Node/Python versions, GPUs and CUDA (from
 * `nvidia-smi`), container image, and the sha256 of lockfiles. Every probe is best-effort: a missing tool
 * leaves its field out.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, release, type as osType } from 'node:os';
import { join, relative } from 'node:path';
import type { EnvironmentRecord } from '../../../registry/types.ts';

/** Lockfile names whose sha256 is recorded (`requirements*.txt` matches any requirements file). */
export const LOCKFILE_PATTERN =
  /^(package-lock\.json|requirements.*\.txt|poetry\.lock|uv\.lock|environment\.ya?ml|Pipfile\.lock)$/;

/** Run a program; resolves its stdout, or undefined when it is missing or fails. */
function probe(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve(err ? undefined : `${stdout}${stderr}`.trim());
    });
  });
}

/** GPUs from `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader`; empty when none. */
export async function detectGpus(
  env: NodeJS.ProcessEnv,
): Promise<{ gpus: NonNullable<EnvironmentRecord['gpus']>; cuda?: string }> {
  const list = await probe(
    'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
    env,
  );
  if (!list) return { gpus: [] };
  const gpus = list
    .split(/\r?\n/)
    .map((l) => l.split(',').map((s) => s.trim()))
    .filter((p) => p.length >= 3 && p[0])
    .map(([name, driver, memory]) => ({ name, driver, memory }));
  const header = await probe('nvidia-smi', [], env);
  const cuda =
    header?.match(/CUDA Version:\s*([0-9.]+)/)?.[1] ??
    (await probe('nvcc', ['--version'], env))?.match(/release ([0-9.]+)/)?.[1];
  return { gpus, ...(cuda ? { cuda } : {}) };
}

/** sha256 of every lockfile in `dir` and its subfolders (two levels, skipping node_modules and dot-folders). */
export function hashLockfiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isFile() && LOCKFILE_PATTERN.test(e.name)) {
        out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      } else if (e.isDirectory() && depth < 2 && e.name !== 'node_modules' && !e.name.startsWith('.')) {
        walk(p, depth + 1);
      }
    }
  };
  walk(dir, 0);
  return out;
}

function osName(): string {
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?/m)?.[1];
    if (pretty) return `${pretty} (${osType()} ${release()})`;
  } catch {
    // not Linux, or no os-release
  }
  return `${osType()} ${release()}`;
}

const CGROUP_CONTAINER = /\/(docker|containerd|kubepods|libpod|lxc|buildkit)[/.-]|\/docker\/containers\//;

/** How this process looks containerised: a marker file or cgroup/mount evidence; undefined when none. */
function containerEvidence(root: string): string | undefined {
  if (existsSync(join(root, '.dockerenv'))) return '/.dockerenv';
  if (existsSync(join(root, 'run', '.containerenv'))) return '/run/.containerenv';
  for (const f of [
    ['proc', '1', 'cgroup'],
    ['proc', 'self', 'cgroup'],
    ['proc', 'self', 'mountinfo'],
  ]) {
    try {
      if (CGROUP_CONTAINER.test(readFileSync(join(root, ...f), 'utf8'))) return `/${f.join('/')}`;
    } catch {
      // not Linux, or not readable
    }
  }
  return undefined;
}

/**
 * The container this runs in: the image named by `MLOPS_CONTAINER_IMAGE` (or `CONTAINER_IMAGE`); else, when
 * `/.dockerenv`, `/run/.containerenv` or the cgroups show a container, `unknown image (container: <evidence>)`
 * (the image is never guessed); else undefined. `root` is the filesystem root to look under (tests).
 */
export function detectContainer(env: NodeJS.ProcessEnv, root = '/'): string | undefined {
  const image = env.MLOPS_CONTAINER_IMAGE || env.CONTAINER_IMAGE;
  if (image) return image;
  const evidence = containerEvidence(root);
  return evidence ? `unknown image (container: ${evidence})` : undefined;
}

/** Everything `EnvironmentRecord` holds for this machine, with lockfiles looked up under `workingDir`. */
export async function captureEnvironment(opts: {
  workingDir: string;
  env: NodeJS.ProcessEnv;
}): Promise<EnvironmentRecord> {
  const { env } = opts;
  const [node, python, gpu] = await Promise.all([
    probe('node', ['--version'], env),
    probe('python3', ['--version'], env).then((v) => v ?? probe('python', ['--version'], env)),
    detectGpus(env),
  ]);
  const cpu = cpus();
  const runner = env.RUNNER_NAME
    ? `${env.RUNNER_NAME} (${env.RUNNER_OS ?? '?'}/${env.RUNNER_ARCH ?? '?'})`
    : undefined;
  const image = detectContainer(env);
  const lockfiles = hashLockfiles(opts.workingDir);
  return {
    ...(runner ? { runner } : {}),
    os: osName(),
    cpu: `${cpu[0]?.model?.trim() ?? 'unknown'} x ${cpu.length}`,
    memory_bytes: totalmem(),
    ...(node ? { node: node.replace(/^v/, '') } : {}),
    ...(python ? { python: python.replace(/^Python\s+/, '') } : {}),
    ...(gpu.gpus.length ? { gpus: gpu.gpus } : {}),
    ...(gpu.cuda ? { cuda: gpu.cuda } : {}),
    ...(image ? { container: image } : {}),
    ...(Object.keys(lockfiles).length ? { lockfiles } : {}),
  };
}
