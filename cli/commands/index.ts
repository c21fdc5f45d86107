import type { Command } from '../command.ts';
import { trainCommand } from './train.ts';

/** Every `mlops` subcommand, in the order `mlops --help` lists them. Each lives in its own file here. */
export const commands: Command[] = [trainCommand];
