/** What a route of the test GitHub server is given and returns. */
import type { Payloads } from './payloads.ts';
import type { GitHubState, RepoState, TokenPermissions } from './state.ts';

// biome-ignore lint/suspicious/noExplicitAny: request and response bodies are JSON.
export type Json = any;

/** A response. */
export interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

/** The request as a route sees it. */
export interface RouteContext {
  state: GitHubState;
  /** The repository named by `{owner}/{repo}`, when the route has them. */
  repo: RepoState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  /** The login the token acts as. */
  user: string;
  payloads: Payloads;
  /** One page of `items` per `page`/`per_page`, with GitHub's `Link` header. */
  page<T>(items: T[]): Reply;
}

/** One implemented operation: method and path template exactly as in GitHub's OpenAPI description. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  template: string;
  /** The token permission it needs (checked when the token has a permission list). */
  permission?: [keyof TokenPermissions, 'read' | 'write'];
  /** On a pull request's number, `pull_requests` at the same level is enough too (issue comments of a PR). */
  orPullRequests?: boolean;
  handle(ctx: RouteContext): Reply;
}

/** An error reply in GitHub's shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Json[],
  ) {
    super(message);
  }
}

/** 404 in GitHub's shape. */
export const notFound = (): never => {
  throw new HttpError(404, 'Not Found');
};

/** 422 Validation Failed with GitHub's `errors` list. */
export const invalid = (resource: string, field: string, code: string, message?: string): never => {
  throw new HttpError(422, 'Validation Failed', [{ resource, field, code, ...(message ? { message } : {}) }]);
};
