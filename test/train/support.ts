/**
 * Helpers for the train tests: run `mlops train` as a child process (so it can be killed), wait for log
 * lines, and kill a run the way a vanished spot machine does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root. */
export const root = new URL('../../', import.meta.url).pathname;

/** The example trainer's launcher, runnable from any directory. */
export const trainer = join(root, 'examples/trainer/run.mjs');

/** A running `mlops train` with its collected stderr. */
export interface TrainProcess {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  done: Promise<number | null>;
  /** Resolve once stderr matches `pattern` (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Start `node bin/mlops.js train <args>` in `cwd` with `env`. */
export function startTrain(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): TrainProcess {
  const child = spawn(process.execPath, [join(root, 'bin/mlops.js'), 'train', ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const waiters: (() => void)[] = [];
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  child.stdout?.resume();
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    done,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = err.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; stderr:\n${err}`)),
          timeoutMs,
        );
        waiters.push(check);
        check();
      });
    },
  };
}

/** SIGKILL the train process and its command's process group at once, as when the machine vanishes. */
export function killEverything(run: TrainProcess): void {
  const pid = run.stderr().match(/command started \(pid (\d+)\)/)?.[1];
  run.child.kill('SIGKILL');
  if (pid) {
    try {
      process.kill(-Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
