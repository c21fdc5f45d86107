import type { Logger } from '../core/logger.ts';

/** What every command receives. */
export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  /** Working directory (the user's repository). */
  cwd: string;
  /** Progress for a person: stderr. */
  log: Logger;
  /** Results: stdout. */
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** One `mlops` subcommand. */
export interface Command {
  name: string;
  /** One line for `mlops --help`. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Returns the exit code (0 ok, 1 gate/check failed); throws UsageError for bad input. */
  run(ctx: CommandContext): Promise<number>;
}
