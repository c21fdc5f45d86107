#!/usr/bin/env node
// Runs the example trainer from any directory: registers tsx (resolved from this repository), then trains.
// Same as `node --import tsx examples/trainer/train.ts` from the repository root.
import { register } from 'tsx/esm/api';

register();
const { trainExample } = await import('./train.ts');
try {
  await trainExample(process.argv.slice(2));
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
