/** Where the toolkit's human-readable progress goes. Passed in, never imported as a global. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** A logger that writes to stderr (progress) so that stdout stays free for results and `--json`. */
export function stderrLogger(opts: { verbose?: boolean } = {}): Logger {
  return {
    info: (m) => process.stderr.write(`${m}\n`),
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    error: (m) => process.stderr.write(`error: ${m}\n`),
    debug: (m) => {
      if (opts.verbose) process.stderr.write(`${m}\n`);
    },
  };
}

/** A logger that keeps every line, for tests and for callers that show the log later. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    debug: () => {},
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
