/**
 * A fault-injecting HTTP proxy for tests: in front of the S3 test server it resets connections, answers
 * 503 and cuts response bodies short for a seeded share of requests, bounded in total and in a row so that
 * a client with retries always gets through eventually.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../core/random.ts';

/** Kinds of fault: drop the connection before forwarding, answer 503 SlowDown-style, or cut a GET body short. */
export type FaultKind = 'reset' | '503' | 'truncate';

/** Options of the proxy. */
export interface FaultProxyOptions {
  /** Where requests go, e.g. the S3 test server's endpoint. */
  target: string;
  /** Seed of the fault sequence (same seed, same decisions for the same request order). */
  seed: number;
  /** Share of requests that fail, 0..1. Default 0.3. */
  rate?: number;
  /** Faults injected at most, in total. Default 50. */
  maxFaults?: number;
  /** Faults in a row at most; the request after that passes. Default 2. */
  maxConsecutive?: number;
  /** Kinds to choose from. Default all three. `truncate` applies to GET responses with a body only. */
  kinds?: FaultKind[];
  /** Only requests for which this is true may fail. Default: all. */
  match?: (req: { method: string; url: string }) => boolean;
}

/** A recorded fault. */
export interface InjectedFault {
  kind: FaultKind;
  method: string;
  url: string;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as the S3 endpoint. */
  endpoint: string;
  /** Faults injected so far. */
  faults: InjectedFault[];
  /** Requests seen so far (failed or not). */
  seen: number;
  stop(): Promise<void>;
}

const rng = mulberry32;

/** Start the proxy on 127.0.0.1 with a random port. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const random = rng(opts.seed);
  const rate = opts.rate ?? 0.3;
  const maxFaults = opts.maxFaults ?? 50;
  const maxConsecutive = opts.maxConsecutive ?? 2;
  const kinds = opts.kinds ?? ['reset', '503', 'truncate'];
  const faults: InjectedFault[] = [];
  let consecutive = 0;
  const state = { seen: 0 };

  const decide = (req: IncomingMessage): FaultKind | undefined => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const roll = random();
    const usable = method === 'GET' ? kinds : kinds.filter((k) => k !== 'truncate');
    const pick = usable[Math.floor(random() * usable.length)];
    const eligible =
      faults.length < maxFaults && consecutive < maxConsecutive && (opts.match?.({ method, url }) ?? true);
    if (!eligible || roll >= rate || pick === undefined) {
      consecutive = 0;
      return undefined;
    }
    consecutive++;
    faults.push({ kind: pick, method, url });
    return pick;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, truncate: boolean) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const length = Number(up.headers['content-length'] ?? 0);
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!truncate || length < 2) {
          up.pipe(res);
          return;
        }
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          const room = Math.floor(length / 2) - sent;
          if (room <= 0) return;
          res.write(chunk.subarray(0, room));
          sent += Math.min(room, chunk.length);
          if (sent >= Math.floor(length / 2)) {
            up.destroy();
            res.socket?.destroy();
          }
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    state.seen++;
    const fault = decide(req);
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
    } else if (fault === '503') {
      req.resume();
      req.on('end', () => {
        const body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>injected fault</Message></Error>';
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    } else {
      forward(req, res, fault === 'truncate');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    get seen() {
      return state.seen;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
