/**
 * The gateway's ingest API over HTTP (undici Pool, keep-alive): start a run, post one E2E
 * document with the run id, complete a run. Connection errors, 5xx and 503 are retried with
 * exponential backoff and full jitter (honouring `Retry-After`), up to `retries` times; a 4xx
 * is final and comes back as a rejection carrying the gateway's `{error, message}`.
 * A circuit breaker spans all requests: when nothing has been answered for `outageMs` (every
 * attempt a 5xx or a connection error: the store or the gateway is down), every request fails at
 * once with `outage`, so a run stops in minutes instead of retrying each patient for hours.
 */
import { Pool, type Dispatcher } from 'undici';
import { EndpointError, describeError } from '../../core/errors';

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  /** The gateway's local listener, e.g. http://127.0.0.1:3080 */
  gatewayUrl: string;
  ingestToken: string;
  /** Connections kept open (= documents in flight). */
  connections: number;
  /** Retries of one request after the first attempt. */
  retries: number;
  /** First backoff step (ms); doubled each retry, capped at `maxBackoffMs`. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** Longest one request may take (ms). */
  requestTimeoutMs?: number;
  /** The breaker: no answer for this long and every request fails at once (`outage`). Unset: no breaker. */
  outageMs?: number;
  /** Called before each retry (for logs and counts). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** The gateway's answer to one ingested document. */
export interface IngestAnswer {
  patientKey?: string;
  outcome: 'created' | 'updated' | 'unchanged';
  sections?: Record<string, number>;
  warnings?: unknown[];
}

/** What happened to one document. */
export type SendResult =
  | { kind: 'accepted'; answer: IngestAnswer; attempts: number }
  | { kind: 'rejected'; status: number; error: string; message: string; attempts: number }
  | { kind: 'failed'; reason: string; attempts: number; outage?: boolean };

/** The answer to `POST /runs/:id/complete`. */
export interface RunCompletion {
  runId: string;
  patientsSent: number;
  patientsReceived?: number;
  swept?: boolean;
  removed?: number;
  reason?: string;
  /** The gateway cut the run (409 RUN_CUT: every record was wiped while it was open); `reason` says so. */
  cut?: boolean;
}

type Attempt = { done: true; status: number; body: unknown } | { done: false; reason: string; retryAfterMs?: number };

/** The HTTP client of the gateway's local listener. */
export class GatewayClient {
  private readonly pool: Pool;
  private readonly base: URL;
  /** Since when no attempt got an answer (undefined: the last one did). */
  private failingSince?: number;
  private lastFailure = '';
  /** The store generation the gateway named when the last run started (absent from older gateways). */
  private runStoreGeneration?: number;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = new URL(options.gatewayUrl);
    this.pool = new Pool(this.base.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs ?? 60_000,
      bodyTimeout: options.requestTimeoutMs ?? 60_000,
    });
  }

  /** `POST /runs {mode}` → the run id. */
  async startRun(mode: 'full' | 'differential'): Promise<string> {
    const result = await this.requestWithRetry('POST', '/runs', JSON.stringify({ mode }), 'application/json');
    if (result.kind !== 'ok') {
      if (result.kind === 'failed' && result.reason.startsWith('connection:')) {
        throw new EndpointError(
          'SERVICE_UNAVAILABLE',
          `The gateway at ${this.base.origin} does not answer (${result.reason}); is it running?`,
        );
      }
      const reason = result.kind === 'rejected' ? `${result.error}: ${result.message}` : result.reason;
      throw new EndpointError('SERVICE_UNAVAILABLE', `The gateway did not start a run: ${reason}.`);
    }
    const { runId, storeGeneration } = result.body as { runId?: unknown; storeGeneration?: unknown };
    if (typeof runId !== 'string' || runId === '')
      throw new EndpointError('SERVICE_UNAVAILABLE', 'The gateway answered POST /runs without a runId.');
    this.runStoreGeneration = typeof storeGeneration === 'number' ? storeGeneration : undefined;
    return runId;
  }

  /** The store generation of the last run started (it grows with every wipe of all records); undefined from older gateways. */
  storeGeneration(): number | undefined {
    return this.runStoreGeneration;
  }

  /** `POST /records` with the document; never throws. */
  async sendDocument(xml: string, runId: string): Promise<SendResult> {
    const result = await this.requestWithRetry('POST', '/records', xml, 'application/xml', { 'x-run-id': runId });
    if (result.kind === 'ok')
      return { kind: 'accepted', answer: result.body as IngestAnswer, attempts: result.attempts };
    if (result.kind === 'rejected') return result;
    return { kind: 'failed', reason: result.reason, attempts: result.attempts, outage: result.outage };
  }

  /** The breaker's verdict: why every request now fails at once, or undefined while it is closed. */
  private outage(): string | undefined {
    const limit = this.options.outageMs;
    if (limit === undefined || this.failingSince === undefined) return undefined;
    const ms = Date.now() - this.failingSince;
    if (ms < limit) return undefined;
    const hint = /STORE_UNAVAILABLE/.test(this.lastFailure)
      ? ': its MongoDB store is unavailable'
      : this.lastFailure.startsWith('connection:')
        ? '; is it running?'
        : '';
    return `the gateway at ${this.base.origin} has accepted nothing for ${Math.round(ms / 1000)} s (last answer ${this.lastFailure}${hint})`;
  }

  /** `POST /runs/:id/complete {patientsSent}` → the gateway's removal report, or `cut` when a wipe cut the run. */
  async completeRun(runId: string, patientsSent: number): Promise<RunCompletion> {
    const result = await this.requestWithRetry(
      'POST',
      `/runs/${encodeURIComponent(runId)}/complete`,
      JSON.stringify({ patientsSent }),
      'application/json',
    );
    if (result.kind === 'ok') return { runId, patientsSent, ...(result.body as object) } as RunCompletion;
    if (result.kind === 'rejected' && result.error === 'RUN_CUT')
      return { runId, patientsSent, swept: false, removed: 0, cut: true, reason: `RUN_CUT: ${result.message}` };
    const reason = result.kind === 'rejected' ? `${result.error}: ${result.message}` : result.reason;
    throw new EndpointError('SERVICE_UNAVAILABLE', `The gateway did not complete run ${runId}: ${reason}.`);
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.pool.close().catch(() => undefined);
  }

  private async requestWithRetry(
    method: 'POST',
    pathName: string,
    body: string,
    contentType: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<
    | { kind: 'ok'; body: unknown; attempts: number }
    | (SendResult & { kind: 'rejected' })
    | { kind: 'failed'; reason: string; attempts: number; outage?: boolean }
  > {
    const base = this.options.retryBaseMs ?? 500;
    const cap = this.options.maxBackoffMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      const open = this.outage();
      if (open !== undefined) return { kind: 'failed', reason: open, attempts: attempt - 1, outage: true };
      const outcome = await this.attempt(method, pathName, body, contentType, extraHeaders);
      if (outcome.done) this.failingSince = undefined;
      else {
        this.failingSince ??= Date.now();
        this.lastFailure = outcome.reason;
      }
      if (outcome.done) {
        if (outcome.status < 300) return { kind: 'ok', body: outcome.body, attempts: attempt };
        const error = outcome.body as { error?: unknown; message?: unknown } | undefined;
        return {
          kind: 'rejected',
          status: outcome.status,
          error: typeof error?.error === 'string' ? error.error : `HTTP_${outcome.status}`,
          message: typeof error?.message === 'string' ? error.message : '',
          attempts: attempt,
        };
      }
      if (attempt > this.options.retries) return { kind: 'failed', reason: outcome.reason, attempts: attempt };
      const backoff = Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
      let delayMs = Math.max(backoff, Math.min(outcome.retryAfterMs ?? 0, 300_000));
      // Wake when the breaker would open, not a whole back-off later.
      if (this.options.outageMs !== undefined && this.failingSince !== undefined) {
        delayMs = Math.max(0, Math.min(delayMs, this.failingSince + this.options.outageMs - Date.now() + 10));
      }
      this.options.onRetry?.({ attempt, delayMs, reason: outcome.reason });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  private async attempt(
    method: 'POST',
    pathName: string,
    body: string,
    contentType: string,
    extraHeaders: Record<string, string>,
  ): Promise<Attempt> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method,
        path: joinPath(this.base.pathname, pathName),
        body,
        headers: { 'content-type': contentType, authorization: `Bearer ${this.options.ingestToken}`, ...extraHeaders },
      });
    } catch (error) {
      return { done: false, reason: `connection: ${(error as { code?: string }).code ?? describeError(error)}` };
    }
    const text = await response.body.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const status = response.statusCode;
    if (status >= 500 || status === 429 || status === 408) {
      const code = (parsed as { error?: unknown } | undefined)?.error;
      return {
        done: false,
        reason: `HTTP ${status}${typeof code === 'string' ? ' ' + code : ''}`,
        retryAfterMs: retryAfterMs(response.headers['retry-after']),
      };
    }
    return { done: true, status, body: parsed };
  }
}

function joinPath(basePath: string, pathName: string): string {
  return basePath.replace(/\/+$/, '') + pathName;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
