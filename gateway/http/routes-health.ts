/**
 * Health, without authentication (the updater and watchdog read these on the local listener):
 * `GET /livez` (no I/O), `GET /readyz` (store ping, not draining), `GET /status`, `GET /metrics`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { describeError } from '../../core/errors';
import { PROJECT_ROOT } from '../../core/paths';
import type { GatewayContext } from '../context';

/** How long readiness waits for the store's ping. */
const READY_PING_TIMEOUT_MS = 2000;

/** The package version. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** The running code's commit: `ENDPOINT_COMMIT`, else `git rev-parse HEAD` in the project, else null. */
export function currentCommit(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ENDPOINT_COMMIT) return env.ENDPOINT_COMMIT;
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      }).trim() || null
    );
  } catch {
    return null;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The clinic's patient count for `/status`, which the watchdog reads every probe: the count of
 * receipts (small documents; counting scans the collection on some Mongo-wire servers, e.g.
 * FerretDB). The count is kept until a patient is created or removed, one count runs at a time,
 * and an unreachable store gives null.
 */
function patientCounter(context: GatewayContext): () => Promise<number | null> {
  let counted: { version: number; count: number } | undefined;
  let counting: Promise<number> | undefined;
  return async () => {
    try {
      await withTimeout(context.store.ping(), READY_PING_TIMEOUT_MS);
      const version = context.state.patientSetVersion;
      if (counted?.version === version) return counted.count;
      counting ??= context.store.receipts
        .countDocuments({ clinicId: context.config.clinicId })
        .then((count) => {
          counted = { version, count };
          return count;
        })
        .finally(() => {
          counting = undefined;
        });
      return await withTimeout(counting, READY_PING_TIMEOUT_MS);
    } catch {
      return null;
    }
  };
}

/** The health routes. */
export function healthRouter(context: GatewayContext): Router {
  const router = Router();
  const { state } = context;
  const version = packageVersion();
  const commit = currentCommit();
  const patientCount = patientCounter(context);

  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const reasons: string[] = [];
    if (state.draining) reasons.push('draining');
    try {
      await withTimeout(context.store.ping(), READY_PING_TIMEOUT_MS);
    } catch (error) {
      reasons.push(`store unreachable: ${describeError(error)}`);
    }
    if (reasons.length === 0) res.json({ ready: true });
    else res.status(503).json({ ready: false, reasons });
  });

  router.get('/status', async (_req, res) => {
    const [lastRun, patients] = await Promise.all([
      withTimeout(context.runs.latest(), READY_PING_TIMEOUT_MS).catch(() => null),
      patientCount(),
    ]);
    res.json({
      version,
      commit,
      startedAt: state.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - state.startedAt.getTime()) / 1000),
      draining: state.draining,
      importsInFlight: state.importsInFlight,
      runningQueries: state.runningQueries(),
      queuedQueries: state.queuedQueries(),
      queryEngine: state.queryEngine() ?? null,
      progress: { requestsCompleted: state.requestsCompleted, importsCompleted: state.importsCompleted },
      lastRun: lastRun
        ? {
            runId: lastRun._id,
            mode: lastRun.mode,
            state: lastRun.state,
            startedAt: lastRun.startedAt.toISOString(),
            completedAt: lastRun.completedAt?.toISOString() ?? null,
            patientsSent: lastRun.patientsSent ?? null,
            patientsReceived: lastRun.patientsReceived ?? null,
            sweep: lastRun.sweep ?? null,
          }
        : null,
      patientCount: patients,
      reimport: state.reimport,
    });
  });

  router.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(context.metrics.render());
  });

  return router;
}
