import { exitCodeOf, messageOf, UsageError } from '../core/errors.ts';
import { stderrLogger } from '../core/logger.ts';
import type { CommandContext } from './command.ts';
import { commands } from './commands/index.ts';

/** `mlops --help`. */
export function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'mlops: a Git repository as a model registry; GitHub as the place models are reviewed, promoted and watched.',
    '',
    'Usage: mlops <command> [options]   (mlops <command> --help for details; --json for machine-readable output)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 a gate or check failed, 2 bad input or configuration.',
    'Start with: mlops demo',
  ].join('\n');
}

/** Run the CLI with the given arguments; returns the exit code. Never calls process.exit. */
export async function main(argv: string[], ctx: Partial<Omit<CommandContext, 'argv'>> = {}): Promise<number> {
  const log = ctx.log ?? stderrLogger({ verbose: argv.includes('--verbose') });
  const out = ctx.out ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`));
  const [name, ...rest] = argv.filter((a) => a !== '--verbose');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(topHelp());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    out('0.1.0');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(
        `unknown command '${name}'. Expected one of: ${commands.map((c) => c.name).join(', ')}.`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      out(command.help);
      return 0;
    }
    return await command.run({
      argv: rest,
      cwd: ctx.cwd ?? process.cwd(),
      log,
      out,
      env: ctx.env ?? process.env,
    });
  } catch (err) {
    log.error(messageOf(err));
    if (
      !(err instanceof UsageError) &&
      err instanceof Error &&
      !('exitCode' in err) &&
      process.env.MLOPS_DEBUG
    ) {
      log.error(err.stack ?? '');
    }
    return exitCodeOf(err);
  }
}
