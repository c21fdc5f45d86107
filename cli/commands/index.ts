import type { Command } from '../command.ts';
import { archiveCommand } from './archive.ts';
import { demoCommand } from './demo.ts';
import { driftCommand } from './drift.ts';
import { evaluateCommand } from './evaluate.ts';
import { gateCommand } from './gate.ts';
import { historyCommand } from './history.ts';
import { initCommand } from './init.ts';
import { listCommand } from './list.ts';
import { promoteCommand } from './promote.ts';
import { registerCommand } from './register.ts';
import { rollbackCommand } from './rollback.ts';
import { showCommand } from './show.ts';
import { trackCommand } from './track.ts';
import { trainCommand } from './train.ts';

/** Every `mlops` subcommand, in lifecycle order for `mlops --help`. Each lives in its own file here. */
export const commands: Command[] = [
  demoCommand,
  initCommand,
  trainCommand,
  trackCommand,
  registerCommand,
  evaluateCommand,
  gateCommand,
  promoteCommand,
  rollbackCommand,
  archiveCommand,
  driftCommand,
  showCommand,
  historyCommand,
  listCommand,
];
