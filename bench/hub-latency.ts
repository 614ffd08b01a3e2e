/**
 * Hub query latency as the research hub sees it: over HTTPS with the hub's client certificate,
 * `GET /indicators`, then for each library indicator `POST /queries`, `GET /queries/:id` until
 * complete, `GET /queries/:id/result`; the time from the POST to the result, p50/p95, with the
 * gateway's own `durationMs` beside it. One query at a time (a warm-up per indicator first).
 */
import https from 'node:https';
import { EndpointError } from '../core/errors';
import type { HubCertificates } from './pipeline';

/** How often a query's status is asked for. */
const POLL_MS = 10;
/** Longest the bench waits for one query. */
const QUERY_DEADLINE_MS = 10 * 60 * 1000;

/** A client of one gateway's hub listener. */
export class HubClient {
  private readonly agent: https.Agent;

  constructor(
    private readonly port: number,
    certificates: HubCertificates,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 2, ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey, servername: 'localhost' });
  }

  /** One JSON request. */
  request(method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: route,
          agent: this.agent,
          servername: 'localhost',
          headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            try {
              resolve({ status: response.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** The indicator names the hub API offers. */
  async indicatorNames(): Promise<string[]> {
    const answer = await this.request('GET', '/indicators');
    if (answer.status !== 200) throw new EndpointError('INTERNAL', `GET /indicators answered ${answer.status}`);
    return (answer.json.indicators as { name: string }[]).map((indicator) => indicator.name);
  }

  /** Runs one indicator query to its result; returns the client's and the gateway's times. */
  async timeIndicator(indicator: string, referenceDate: string): Promise<{ ms: number; serverMs: number | undefined; total: unknown }> {
    const started = performance.now();
    const submitted = await this.request('POST', '/queries', { indicator, referenceDate });
    if (submitted.status !== 202) throw new EndpointError('INTERNAL', `POST /queries ${indicator} answered ${submitted.status}: ${JSON.stringify(submitted.json)}`);
    const id = String(submitted.json.id);
    let job = submitted.json;
    while (job.status !== 'complete') {
      if (['failed', 'cancelled', 'held'].includes(String(job.status))) throw new EndpointError('INTERNAL', `query ${indicator} ${String(job.status)}: ${JSON.stringify(job.error ?? {})}`);
      if (performance.now() - started > QUERY_DEADLINE_MS) throw new EndpointError('TIMEOUT', `query ${indicator} did not complete in ${QUERY_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = (await this.request('GET', `/queries/${id}`)).json;
    }
    const result = await this.request('GET', `/queries/${id}/result`);
    const ms = performance.now() - started;
    if (result.status !== 200) throw new EndpointError('INTERNAL', `result of ${indicator}: ${result.status} ${JSON.stringify(result.json)}`);
    return { ms, serverMs: typeof job.durationMs === 'number' ? job.durationMs : undefined, total: result.json.total };
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** The value at percentile `p` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Query latency over the indicator library. */
export interface QueryLatency {
  indicators: string[];
  runsPerIndicator: number;
  queries: number;
  p50Ms: number;
  p95Ms: number;
  /** The gateway's own `durationMs` (queue wait excluded). */
  serverP50Ms: number;
  serverP95Ms: number;
  byIndicator: Record<string, { p50Ms: number; p95Ms: number; denominatorTotal: unknown }>;
  referenceDate: string;
  pollMs: number;
}

/** Times every library indicator `runs` times (after one warm-up each). */
export async function measureQueries(client: HubClient, referenceDate: string, runs: number): Promise<QueryLatency> {
  const indicators = await client.indicatorNames();
  const all: number[] = [];
  const server: number[] = [];
  const byIndicator: QueryLatency['byIndicator'] = {};
  for (const indicator of indicators) {
    const warmUp = await client.timeIndicator(indicator, referenceDate);
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const timed = await client.timeIndicator(indicator, referenceDate);
      times.push(timed.ms);
      if (timed.serverMs !== undefined) server.push(timed.serverMs);
    }
    all.push(...times);
    const total = warmUp.total as { value?: { denominator?: unknown } } | undefined;
    byIndicator[indicator] = { p50Ms: Math.round(percentile(times, 50)), p95Ms: Math.round(percentile(times, 95)), denominatorTotal: total?.value?.denominator };
  }
  return {
    indicators,
    runsPerIndicator: runs,
    queries: all.length,
    p50Ms: Math.round(percentile(all, 50)),
    p95Ms: Math.round(percentile(all, 95)),
    serverP50Ms: Math.round(percentile(server, 50)),
    serverP95Ms: Math.round(percentile(server, 95)),
    byIndicator,
    referenceDate,
    pollMs: POLL_MS,
  };
}
