#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx (a dependency), so `npm ci` leaves the command runnable.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
