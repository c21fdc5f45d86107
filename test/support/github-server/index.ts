/**
 * A stateful GitHub REST test server on 127.0.0.1. Every request (path, query, body) and every response is
 * validated against GitHub's OpenAPI description; a violation is recorded (see `violations()`) and answered
 * 422 (bad request) or 500 (bad response), and an endpoint the server does not implement is a violation too.
 * It paginates with `Link` headers, honours per-token permissions, and can inject faults for the next N requests.
 *
 * ```ts
 * const gh = await startGitHubServer();
 * gh.state.addRepo('octo-org/models', { gitDir });
 * const forge = new OctokitForge({ token: 't', repository: 'octo-org/models', apiUrl: gh.url, timeUnitMs: 1 });
 * ...
 * await gh.stop(); // throws listing any violation the test did not accept with expectViolations
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Payloads } from './payloads.ts';
import { HttpError, type Json, type Reply, type Route, type RouteContext } from './route.ts';
import { issueRoutes } from './routes-issues.ts';
import { pullRoutes } from './routes-pulls.ts';
import { loadSpec } from './spec.ts';
import { GitHubState } from './state.ts';

export { GitHubState } from './state.ts';
export type * from './state.ts';

/** A fault to answer instead of the real response. */
export type Fault = 500 | 502 | 'secondary-rate-limit' | 'rate-limit' | 429;

/** One request the server saw. */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  authorization: string | undefined;
  body: unknown;
}

/** A running test server. */
export interface GitHubServer {
  /** Base URL for `GITHUB_API_URL` / Octokit's baseUrl. */
  url: string;
  state: GitHubState;
  /** Spec violations and unimplemented endpoints seen so far. */
  violations(): string[];
  /**
   * Accept the violations a test provoked on purpose: the ones recorded since the last call must be exactly `n`,
   * or at least one and all matching the pattern; throws listing them otherwise. Accepted violations no longer fail
   * `stop()`; any other violation does, so a forgotten assertion cannot hide one.
   */
  expectViolations(expected: number | RegExp): void;
  /** Every request so far, in order. */
  requests: RequestRecord[];
  /** Answer the next `count` requests with `fault` (optionally only those matching `method path-regex`). */
  failNext(count: number, fault: Fault, match?: RegExp): void;
  /** Close the server; throws listing the violations when there are any the test did not declare. */
  stop(): Promise<void>;
}

const ROUTES: Route[] = [...issueRoutes, ...pullRoutes];

function templateRegex(template: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const src = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
      const name = a ?? b;
      names.push(name);
      return name === 'path' ? '(.+)' : '([^/]+)';
    });
  return { re: new RegExp(`^${src}$`), names };
}

const MATCHERS = ROUTES.map((r) => ({ route: r, ...templateRegex(r.template) }));

function faultReply(fault: Fault): Reply {
  switch (fault) {
    case 'secondary-rate-limit':
      return {
        status: 403,
        headers: { 'retry-after': '1' },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
      };
    case 'rate-limit':
      return {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      };
    case 429:
      return { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } };
    default:
      return { status: fault, body: { message: fault === 502 ? 'Bad Gateway' : 'Server Error' } };
  }
}

/** Start a server on an ephemeral port of 127.0.0.1. */
export async function startGitHubServer(opts: { state?: GitHubState } = {}): Promise<GitHubServer> {
  const spec = loadSpec();
  const state = opts.state ?? new GitHubState();
  const found: string[] = [];
  const requests: RequestRecord[] = [];
  const faults: { fault: Fault; match?: RegExp }[] = [];
  let payloads: Payloads | undefined;
  let accepted = 0;

  const handle = (req: IncomingMessage, raw: string): Reply & { skipValidation?: boolean } => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = req.method ?? 'GET';
    const fi = faults.findIndex((f) => !f.match || f.match.test(`${method} ${url.pathname}`));
    if (fi >= 0) return { ...faultReply(faults.splice(fi, 1)[0].fault), skipValidation: true };
    const m = MATCHERS.find((x) => x.route.method === method && x.re.test(url.pathname));
    if (!m) {
      found.push(`not implemented: ${method} ${url.pathname}`);
      // 501, never 404: code that reads 404 as "absent" must not pass silently on a missing route.
      return {
        status: 501,
        body: { message: `Not Implemented by the test server: ${method} ${url.pathname}` },
        skipValidation: true,
      };
    }
    const values = (m.re.exec(url.pathname) as RegExpExecArray).slice(1).map(decodeURIComponent);
    const params = Object.fromEntries(m.names.map((n, k) => [n, values[k]]));
    const op = spec.operation(method, m.route.template);
    let body: Json;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      found.push(`${method} ${url.pathname}: body is not JSON`);
      return unvalidated(400, 'Problems parsing JSON');
    }
    const problems = spec.checkRequest(op, { params, query: url.searchParams, body, hasBody: raw !== '' });
    if (problems.length) {
      found.push(...problems.map((p) => `${op.operationId} request: ${p}`));
      return {
        status: 422,
        body: {
          message: `Invalid request.\n\n${problems.join('\n')}`,
          documentation_url: 'https://docs.github.com/rest',
        },
        skipValidation: true,
      };
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Authentication and permission answers are GitHub's, though the description documents them for few operations.
    if (!token) return unvalidated(401, 'Requires authentication');
    const perms = state.permissions[token];
    if (perms && m.route.permission) {
      const [scope, level] = m.route.permission;
      const enough = (has: string | undefined) => has === 'write' || (has === 'read' && level === 'read');
      // GitHub accepts `pull-requests` as well as `issues` for the comments of a pull request.
      const r = state.repos[`${params.owner}/${params.repo}`];
      const number = params.comment_id
        ? r?.comments.find((c) => c.id === Number(params.comment_id))?.issueNumber
        : Number(params.issue_number);
      const onPull = m.route.orPullRequests && r?.pulls.some((p) => p.number === number);
      if (!enough(perms[scope]) && !(onPull && enough(perms.pull_requests))) {
        return unvalidated(403, 'Resource not accessible by integration');
      }
    }
    const repo = params.owner ? state.repos[`${params.owner}/${params.repo}`] : undefined;
    if (params.owner && !repo)
      return {
        status: 404,
        body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
      };
    const ctx: RouteContext = {
      state,
      repo: repo as RouteContext['repo'],
      params,
      query: url.searchParams,
      body,
      user: state.tokens[token] ?? 'github-actions[bot]',
      payloads: payloads as Payloads,
      page: (items) => paginate(url, items),
    };
    try {
      return m.route.handle(ctx);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return {
        // GitHub answers 404/409/422 where its description documents none (workflow dispatch): validate the error
        // body when the status is documented, pass it through in GitHub's error shape otherwise.
        skipValidation: !(String(err.status) in op.raw.responses),
        status: err.status,
        body: {
          message: err.message,
          documentation_url: 'https://docs.github.com/rest',
          ...(err.errors ? { errors: err.errors } : {}),
        },
      };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let reply: Reply & { skipValidation?: boolean };
      try {
        reply = handle(req, raw);
      } catch (err) {
        found.push(`server error on ${req.method} ${req.url}: ${(err as Error).stack}`);
        reply = {
          status: 500,
          body: { message: `test server bug: ${(err as Error).message}` },
          skipValidation: true,
        };
      }
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const m = MATCHERS.find((x) => x.route.method === req.method && x.re.test(path));
      if (m && !reply.skipValidation && reply.status < 500) {
        const problems = spec.checkResponse(
          spec.operation(req.method ?? 'GET', m.route.template),
          reply.status,
          reply.body,
        );
        if (problems.length) {
          found.push(...problems.map((p) => `${m.route.method} ${m.route.template}: ${p}`));
          reply = {
            status: 500,
            body: { message: `invalid response from the test server: ${problems.join('; ')}` },
          };
        }
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        status: reply.status,
        authorization: req.headers.authorization,
        body: raw ? safeJson(raw) : undefined,
      });
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        ...(reply.headers ?? {}),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  payloads = new Payloads(spec, url);
  return {
    url,
    state,
    requests,
    violations: () => [...found],
    failNext: (count, fault, match) => {
      for (let k = 0; k < count; k++) faults.push({ fault, match });
    },
    expectViolations: (e) => {
      const problem = unexpectedViolations(found.slice(accepted), e);
      if (problem) throw new Error(`GitHub test server: ${problem}`);
      accepted = found.length;
    },
    stop: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      const problem = unexpectedViolations(found.slice(accepted), undefined);
      if (problem) throw new Error(`GitHub test server: ${problem}`);
    },
  };
}

/** Why the violations seen do not match what the test declared, or undefined when they do. */
export function unexpectedViolations(
  found: string[],
  expected: number | RegExp | undefined,
): string | undefined {
  const list = (items: string[]) => items.map((v) => `\n  - ${v}`).join('');
  if (expected === undefined) {
    return found.length ? `${found.length} unexpected violation(s):${list(found)}` : undefined;
  }
  if (typeof expected === 'number') {
    return found.length === expected
      ? undefined
      : `expected ${expected} violation(s), saw ${found.length}:${list(found)}`;
  }
  const other = found.filter((v) => !expected.test(v));
  if (other.length) return `${other.length} violation(s) not matching ${expected}:${list(other)}`;
  return found.length ? undefined : `expected violations matching ${expected}, saw none`;
}

function unvalidated(status: number, message: string): Reply & { skipValidation: true } {
  return {
    status,
    body: { message, documentation_url: 'https://docs.github.com/rest' },
    skipValidation: true,
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function paginate<T>(url: URL, items: T[]): Reply {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const u = new URL(url.toString());
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return {
    status: 200,
    body: items.slice((page - 1) * perPage, page * perPage),
    ...(links.length ? { headers: { link: links.join(', ') } } : {}),
  };
}
