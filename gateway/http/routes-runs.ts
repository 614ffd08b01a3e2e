/**
 * Export runs (ingest token): `POST /runs {mode}` → `{runId, mode, startedAt, storeGeneration}`;
 * `POST /runs/:id/complete {patientsSent}` → the completion with the sweep's outcome, or 409
 * RUN_CUT when a wipe of all records cut the run.
 */
import { Router } from 'express';
import { EndpointError } from '../../core/errors';
import type { GatewayContext } from '../context';
import { parseRunMode } from '../runs';
import { requireToken } from './auth';
import { assertNotDraining } from './routes-records';

function bodyOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The runs routes. */
export function runsRouter(context: GatewayContext): Router {
  const router = Router();
  router.use('/runs', requireToken(context.secrets.ingestToken, 'ingest'));

  router.post('/runs', async (req, res) => {
    assertNotDraining(context);
    const run = await context.runs.start(parseRunMode(bodyOf(req.body).mode ?? 'full'));
    context.logger.info({ runId: run._id, mode: run.mode }, 'run started');
    res
      .status(201)
      .json({
        runId: run._id,
        mode: run.mode,
        startedAt: run.startedAt.toISOString(),
        storeGeneration: run.storeGeneration,
      });
  });

  router.post('/runs/:runId/complete', async (req, res) => {
    const patientsSent = bodyOf(req.body).patientsSent;
    if (typeof patientsSent !== 'number' || !Number.isInteger(patientsSent) || patientsSent < 0) {
      throw new EndpointError('INVALID_REQUEST', 'patientsSent must be a whole number of at least 0.');
    }
    const completion = await context.runs.complete(String(req.params.runId), patientsSent);
    if (completion.removed > 0) context.state.patientSetVersion += 1;
    context.logger.info({ ...completion }, 'run completed');
    res.json(completion);
  });

  return router;
}
