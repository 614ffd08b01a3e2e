/**
 * Ingest and record deletion: `POST /records` (ingest token; the run id in the `X-Run-Id`
 * header), `DELETE /records?confirm=wipe-all-records` (gateway/wipe.ts) and
 * `DELETE /records/:patientKey` (admin token).
 */
import { Router } from 'express';
import { EndpointError } from '../../core/errors';
import type { GatewayContext } from '../context';
import { ingestDocument } from '../ingest';
import { removePatientDocuments } from '../store/remove-patient';
import { wipeAllRecords } from '../wipe';
import { requireToken } from './auth';
import { readDocumentBody } from './body';

/** The header that carries the export run id of an ingest. */
export const RUN_ID_HEADER = 'x-run-id';
/** The confirmation a wipe of all records needs. */
export const WIPE_CONFIRMATION = 'wipe-all-records';

/** Throws DRAINING while the gateway is draining. */
export function assertNotDraining(context: GatewayContext): void {
  if (context.state.draining) {
    throw new EndpointError('DRAINING', 'The gateway is draining for maintenance; try again later.', {
      retryAfterSeconds: context.config.retryAfterSeconds,
    });
  }
}

/** The records routes. */
export function recordsRouter(context: GatewayContext): Router {
  const router = Router();
  const ingestAuth = requireToken(context.secrets.ingestToken, 'ingest');
  const adminAuth = requireToken(context.secrets.adminToken, 'admin');
  const retry = context.config.retryAfterSeconds;

  router.post('/records', ingestAuth, async (req, res) => {
    assertNotDraining(context);
    const runId = req.get(RUN_ID_HEADER)?.trim() || undefined;
    // The body is read only once its bytes fit the read budget (a sender waits, its upload not yet in memory).
    const declared = Number(req.headers['content-length']);
    const weight = Number.isFinite(declared) && declared > 0 ? declared : context.config.maxBodyBytes;
    const result = await context.readBudget.run(weight, async () =>
      ingestDocument(context, await readDocumentBody(req, context.config.maxBodyBytes), { runId }),
    );
    res.status(result.outcome === 'created' ? 201 : 200).json(result);
  });

  router.delete('/records', adminAuth, async (req, res) => {
    if (req.query.confirm !== WIPE_CONFIRMATION) {
      throw new EndpointError('INVALID_REQUEST', `Wiping all records needs ?confirm=${WIPE_CONFIRMATION}.`);
    }
    res.json(await wipeAllRecords(context));
  });

  router.delete('/records/:patientKey', adminAuth, async (req, res) => {
    const key = String(req.params.patientKey);
    // Keys are `clinicId:demographicNo`: another clinic's key is not found here; `_id` alone is a point operation.
    if (!key.startsWith(`${context.config.clinicId}:`))
      throw new EndpointError('NOT_FOUND', `No patient ${key.slice(0, 80)} in the store.`);
    const removed = await context.gate.write(() =>
      context.patientLock.run(key, async () => {
        const found = await removePatientDocuments(context.store, key, retry);
        context.state.patientSetVersion += 1;
        if (found) context.patientChanges.removed([key]);
        return found;
      }),
    );
    if (!removed) throw new EndpointError('NOT_FOUND', `No patient ${key.slice(0, 80)} in the store.`);
    context.logger.info({ patientKey: key }, 'patient deleted');
    res.json({ patientKey: key, removed: true });
  });

  return router;
}
