/**
 * Ingest and record deletion: `POST /records` (ingest token; the run id in the `X-Run-Id`
 * header), `DELETE /records?confirm=wipe-all-records` and `DELETE /records/:patientKey`
 * (admin token).
 */
import { Router } from 'express';
import { EndpointError } from '../../core/errors';
import type { GatewayContext } from '../context';
import { ingestDocument } from '../ingest';
import { withStore } from '../store/store-errors';
import { requireToken } from './auth';
import { readDocumentBody } from './body';

/** The header that carries the export run id of an ingest. */
export const RUN_ID_HEADER = 'x-run-id';
/** The confirmation a wipe of all records needs. */
export const WIPE_CONFIRMATION = 'wipe-all-records';

/** Throws DRAINING while the gateway is draining. */
export function assertNotDraining(context: GatewayContext): void {
  if (context.state.draining) {
    throw new EndpointError('DRAINING', 'The gateway is draining for maintenance; try again later.', { retryAfterSeconds: context.config.retryAfterSeconds });
  }
}

/** The records routes. */
export function recordsRouter(context: GatewayContext): Router {
  const router = Router();
  const ingestAuth = requireToken(context.secrets.ingestToken, 'ingest');
  const adminAuth = requireToken(context.secrets.adminToken, 'admin');
  const { patients, sources, receipts } = context.store;
  const retry = context.config.retryAfterSeconds;

  router.post('/records', ingestAuth, async (req, res) => {
    assertNotDraining(context);
    const runId = req.get(RUN_ID_HEADER)?.trim() || undefined;
    const bytes = await readDocumentBody(req, context.config.maxBodyBytes);
    if (runId !== undefined) await context.runs.assertOpen(runId);
    const result = await ingestDocument(context, bytes, { runId });
    res.status(result.outcome === 'created' ? 201 : 200).json(result);
  });

  router.delete('/records', adminAuth, async (req, res) => {
    if (req.query.confirm !== WIPE_CONFIRMATION) {
      throw new EndpointError('INVALID_REQUEST', `Wiping all records needs ?confirm=${WIPE_CONFIRMATION}.`);
    }
    const clinicId = context.config.clinicId;
    const removedPatients = await withStore(() => patients.deleteMany({ clinicId }), retry);
    context.state.patientSetVersion += 1;
    context.patientChanges.wiped(clinicId);
    const removedSources = await withStore(() => sources.deleteMany({ clinicId }), retry);
    await withStore(() => receipts.deleteMany({ clinicId }), retry);
    context.logger.warn({ clinicId, patients: removedPatients.deletedCount, sources: removedSources.deletedCount }, 'all records wiped');
    res.json({ wiped: true, removed: { patients: removedPatients.deletedCount, sources: removedSources.deletedCount } });
  });

  router.delete('/records/:patientKey', adminAuth, async (req, res) => {
    const key = String(req.params.patientKey);
    // Keys are `clinicId:demographicNo`: another clinic's key is not found here; `_id` alone is a point operation.
    if (!key.startsWith(`${context.config.clinicId}:`)) throw new EndpointError('NOT_FOUND', `No patient ${key} in the store.`);
    const filter = { _id: key };
    const removed = await context.patientLock.run(key, async () => {
      const result = await withStore(() => patients.deleteOne(filter), retry);
      context.state.patientSetVersion += 1;
      if (result.deletedCount > 0) context.patientChanges.removed([key]);
      await withStore(() => sources.deleteOne(filter), retry);
      await withStore(() => receipts.deleteOne(filter), retry);
      return result.deletedCount;
    });
    if (removed === 0) throw new EndpointError('NOT_FOUND', `No patient ${key} in the store.`);
    context.logger.info({ patientKey: key }, 'patient deleted');
    res.json({ patientKey: key, removed: true });
  });

  return router;
}
