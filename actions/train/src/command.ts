/**
 * Runs the user's training command through bash in its own process group, forwards SIGTERM/SIGINT to the
 * whole group, honours a timeout (SIGTERM, then SIGKILL after a grace period) and reports how it ended.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../../../core/logger.ts';

/** How the command ended. */
export interface CommandResult {
  /** The exit code to propagate: the command's own, 128 + signal number when a signal ended it, 124 on timeout. */
  exitCode: number;
  /** The signal that ended the command, if one did. */
  signal?: NodeJS.Signals;
  /** True when the timeout stopped it. */
  timedOut: boolean;
  /** The signal this process received and forwarded, if any. */
  forwarded?: NodeJS.Signals;
  durationMs: number;
}

/** What `runCommand` needs. */
export interface RunCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Stop the command after this many milliseconds. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL, on timeout or a forwarded signal. Defaults to 10 s. */
  killGraceMs?: number;
  /** Called with the child's pid once it started. */
  onStart?: (pid: number) => void;
  /** Called when this process receives SIGTERM/SIGINT, after forwarding it (e.g. to sync checkpoints). */
  onSignal?: (signal: NodeJS.Signals) => void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};

/** Run `command` with `bash -c` and resolve when it ends; never rejects for a non-zero exit. */
export function runCommand(opts: RunCommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const grace = opts.killGraceMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', opts.command], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    let timedOut = false;
    let forwarded: NodeJS.Signals | undefined;
    const timers: NodeJS.Timeout[] = [];
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    const stop = (sig: NodeJS.Signals) => {
      signalGroup(sig);
      timers.push(setTimeout(() => signalGroup('SIGKILL'), grace).unref());
    };
    const onSignal = (sig: NodeJS.Signals) => {
      forwarded = sig;
      opts.log.warn(`received ${sig}: forwarding it to the training command`);
      stop(sig);
      opts.onSignal?.(sig);
    };
    const handlers = (['SIGTERM', 'SIGINT'] as const).map((sig) => {
      const h = () => onSignal(sig);
      process.on(sig, h);
      return [sig, h] as const;
    });
    if (opts.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          opts.log.error(`training command timed out after ${opts.timeoutMs} ms: stopping it`);
          stop('SIGTERM');
        }, opts.timeoutMs),
      );
    }
    const cleanup = () => {
      for (const t of timers) clearTimeout(t);
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.on('error', (err) => {
      cleanup();
      reject(err);
    });
    child.on('spawn', () => child.pid && opts.onStart?.(child.pid));
    child.on('exit', (code, signal) => {
      cleanup();
      // a group member may outlive bash; make sure nothing of the command keeps running
      if (signal || timedOut || forwarded) signalGroup('SIGKILL');
      const exitCode = code ?? 128 + (SIGNAL_NUMBERS[signal as NodeJS.Signals] ?? 0);
      resolve({
        exitCode: timedOut ? 124 : exitCode,
        ...(signal ? { signal } : {}),
        timedOut,
        ...(forwarded ? { forwarded } : {}),
        durationMs: Date.now() - started,
      });
    });
  });
}
