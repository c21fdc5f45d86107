/**
 * `mlops demo`: the lifecycle on embedded defaults, printed for a person to read.
 */
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { registrySteps, runDemo } from '../demo.ts';

/** `mlops demo`. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the lifecycle in a temporary repository with a local remote and artifact store',
  help: `Usage: mlops demo [--clean]

Creates a temporary Git repository with a local bare remote and a local artifact directory, then
runs: init, two registered versions, a promotion, a rollback, show, history and list, printing each
command and its output. Needs only git and node; nothing leaves the machine.

Options:
  --clean     remove the temporary folder at the end (default: keep it and print where it is)

Exit codes: 0 every step passed, 1 a step failed.`,
  async run(ctx) {
    const { values } = parseFlags('demo', ctx.argv, { clean: { type: 'boolean' } });
    const { main } = await import('../main.ts');
    return runDemo({
      steps: registrySteps,
      runCli: (argv, cwd) => main(argv, { cwd, out: ctx.out, log: ctx.log, env: ctx.env }),
      out: ctx.out,
      log: ctx.log,
      clean: values.clean,
    });
  },
};
