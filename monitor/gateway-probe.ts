/**
 * Probes of the gateway's health routes (`/livez`, `/readyz`, `/status`) over plain node
 * http(s), one fresh connection each, telling "refused" (nothing listening: crashed) apart from
 * "timeout" (connected, no answer: busy or hung).
 */
import http from 'node:http';
import https from 'node:https';
import type { LivezOutcome, ProbeResult } from './watchdog-decision';

/** One HTTP GET's outcome. */
export type HealthAnswer =
  | { kind: 'answered'; status: number; body: unknown; latencyMs: number }
  | { kind: 'refused' | 'timeout' | 'error'; detail: string; latencyMs: number };

/** GETs `route` from the gateway with a deadline; never throws. */
export function getHealth(baseUrl: string, route: string, timeoutMs: number): Promise<HealthAnswer> {
  const url = new URL(route, baseUrl);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: HealthAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(answer);
    };
    const request = client.get(url, { agent: false, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => finish({ kind: 'error', detail: error.message, latencyMs: elapsed() }));
      response.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        finish({ kind: 'answered', status: response.statusCode ?? 0, body, latencyMs: elapsed() });
      });
    });
    const timer = setTimeout(() => finish({ kind: 'timeout', detail: `no answer from ${url.pathname} within ${timeoutMs} ms`, latencyMs: elapsed() }), timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: error.code === 'ECONNREFUSED' ? 'refused' : 'error', detail: `${url.pathname}: ${error.code ?? error.message}`, latencyMs: elapsed() });
    });
  });
}

/** The `/status` progress counters summed (they only grow), or undefined. */
export function progressOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const progress = (body as { progress?: unknown }).progress;
  if (typeof progress !== 'object' || progress === null) return undefined;
  let sum = 0;
  for (const value of Object.values(progress)) if (typeof value === 'number' && Number.isFinite(value)) sum += value;
  return sum;
}

/** The readyz verdict from one answer. */
export function readinessOf(answer: HealthAnswer): { ready?: boolean; reasons?: string[] } {
  if (answer.kind !== 'answered') return {};
  const body = answer.body as { ready?: unknown; reasons?: unknown } | undefined;
  const reasons = Array.isArray(body?.reasons) ? body.reasons.map(String) : undefined;
  return { ready: answer.status === 200 && body?.ready !== false, reasons: answer.status === 200 ? undefined : reasons ?? [`readyz answered ${answer.status}`] };
}

/** Probes livez, readyz and status at once, each with the probe timeout. */
export async function probeGateway(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const [livez, readyz, status] = await Promise.all([
    getHealth(baseUrl, '/livez', timeoutMs),
    getHealth(baseUrl, '/readyz', timeoutMs),
    getHealth(baseUrl, '/status', timeoutMs),
  ]);
  let outcome: LivezOutcome;
  if (livez.kind === 'answered') outcome = livez.status === 200 ? 'ok' : 'error';
  else outcome = livez.kind;
  const readiness = readinessOf(readyz);
  return {
    livez: outcome,
    ready: readiness.ready,
    readyReasons: readiness.reasons,
    latencyMs: livez.kind === 'answered' ? livez.latencyMs : undefined,
    progress: status.kind === 'answered' && status.status === 200 ? progressOf(status.body) : undefined,
    detail: livez.kind === 'answered' ? (livez.status === 200 ? undefined : `livez answered ${livez.status}`) : livez.detail,
  };
}
