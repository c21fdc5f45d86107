/**
 * A thin runner for the `git` binary with stdin, extra environment (a temporary index) and batched
 * object reads. Plumbing needs stdin (`hash-object --stdin`, `cat-file --batch`), which simple-git does
 * not offer, so the registry speaks to git directly.
 */
import { spawn } from 'node:child_process';

/** Result of one git process. */
export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options of one git call. */
export interface GitCallOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean;
}

/** A failed git command, with its stderr. */
export class GitError extends Error {
  override name = 'GitError';
  constructor(
    readonly args: string[],
    readonly result: GitResult,
  ) {
    super(
      `git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

/** Runs git in one work tree. */
export class Git {
  constructor(
    readonly dir: string,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Run git; throws GitError on a non-zero exit unless `allowFail`. */
  run(args: string[], opts: GitCallOptions = {}): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: this.dir,
        env: { ...this.baseEnv, GIT_TERMINAL_PROMPT: '0', ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.stdin.on('error', () => {});
      child.on('close', (code) => {
        const result = {
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          code: code ?? 1,
        };
        if (result.code !== 0 && !opts.allowFail) reject(new GitError(args, result));
        else resolve(result);
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Run git and return stdout without the trailing newline. */
  async out(args: string[], opts: GitCallOptions = {}): Promise<string> {
    return (await this.run(args, opts)).stdout.replace(/\n$/, '');
  }

  /** Resolve a rev to a commit SHA, or undefined when it does not exist. */
  async revParse(rev: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFail: true });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Read many `<rev>:<path>` blobs in one process; a missing one maps to undefined. */
  async readBlobs(specs: string[]): Promise<Map<string, string | undefined>> {
    const result = new Map<string, string | undefined>();
    if (specs.length === 0) return result;
    const buf = await this.raw(['cat-file', '--batch'], `${specs.join('\n')}\n`);
    let pos = 0;
    for (const spec of specs) {
      const nl = buf.indexOf(10, pos);
      const header = buf.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        result.set(spec, undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      const type = header.split(' ')[1];
      result.set(spec, type === 'blob' ? buf.subarray(pos, pos + size).toString('utf8') : undefined);
      pos += size + 1;
    }
    return result;
  }

  /** Write a blob into the object database and return its id. */
  async writeBlob(content: string): Promise<string> {
    return (await this.out(['hash-object', '-w', '--stdin'], { input: content })).trim();
  }

  private raw(args: string[], input: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd: this.dir, env: this.baseEnv, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out));
        else {
          const stderr = Buffer.concat(err).toString('utf8');
          reject(new GitError(args, { stdout: '', stderr, code: code ?? 1 }));
        }
      });
      child.stdin.end(input);
    });
  }
}
