/**
 * Errors from the GitHub API, turned into messages a workflow author can act on: a 401/403 that is not a rate
 * limit names the permission the workflow must grant, and the token never appears in any message.
 */

/** The `permissions:` entry a workflow needs for an operation, e.g. `pull-requests: write`. */
export type Permission =
  | 'pull-requests: write'
  | 'pull-requests: read'
  | 'issues: write'
  | 'issues: read'
  | 'checks: write'
  | 'checks: read'
  | 'statuses: write'
  | 'actions: write'
  | 'contents: write'
  | 'contents: read'
  | 'members: read';

/** A failed GitHub request: what was being done, the HTTP status (0 when no response came back). */
export class ForgeError extends Error {
  override name = 'ForgeError';
  constructor(
    message: string,
    readonly status: number,
    readonly operation: string,
  ) {
    super(message);
  }
}

/** The HTTP status of an Octokit RequestError (or undefined for anything else). */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

function isRateLimit(err: unknown): boolean {
  const e = err as { message?: string; response?: { headers?: Record<string, string> } };
  return /rate limit/i.test(e.message ?? '') || e.response?.headers?.['x-ratelimit-remaining'] === '0';
}

/** Replace every occurrence of the secret in `text`. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

/**
 * A ForgeError for a failed request. 401 → the token was rejected; 403 (not a rate limit) and, for writes, 404 →
 * "the token needs `<permission>`" with the line to add to the workflow's `permissions:`.
 */
export function forgeError(
  err: unknown,
  ctx: {
    operation: string;
    permission: Permission;
    /** Another permission GitHub accepts instead (a PR comment: `issues: write` as well as `pull-requests: write`). */
    alternative?: Permission;
    token?: string;
    write?: boolean;
  },
): ForgeError {
  const status = statusOf(err) ?? 0;
  const detail = redact(err instanceof Error ? err.message : String(err), ctx.token);
  let message: string;
  if (status === 401) {
    message = `GitHub rejected the token while trying to ${ctx.operation} (401): check the token input or secret`;
  } else if ((status === 403 && !isRateLimit(err)) || (status === 404 && ctx.write)) {
    message =
      `GitHub refused to ${ctx.operation} (${status}): the token needs \`${ctx.permission}\`` +
      (ctx.alternative ? ` (or \`${ctx.alternative}\`: GitHub accepts either here)` : '') +
      `. Add \`permissions: { ${ctx.permission} }\` to the workflow or job (GitHub said: ${detail})`;
  } else if (status === 0) {
    message = `could not ${ctx.operation}: ${detail}`;
  } else {
    message = `could not ${ctx.operation}: GitHub answered ${status} (${detail})`;
  }
  return new ForgeError(message, status, ctx.operation);
}
