/** The spec-validated GitHub test server; see `test/support/github-server/index.ts`. */
export * from './github-server/index.ts';
