/**
 * Wiping every record of the clinic (`DELETE /records?confirm=wipe-all-records`): alone at the
 * store's gate (after the writes in flight, before any later one), one store generation more, the
 * open export runs cut, then receipts (the commit points, so nothing reads as "unchanged"), patients
 * and sources removed. The hub's projection is told, and reloaded from the store once the wipe is
 * over. A wipe that stopped half-way (store failure, gateway killed) is marked in `meta` and
 * finished when the gateway starts again; answering 503, it may simply be asked again.
 */
import { describeError } from '../core/errors';
import type { GatewayContext } from './context';
import { withStore } from './store/store-errors';

/** What a wipe removed. */
export interface WipeResult {
  wiped: true;
  /** The store generation after the wipe (export runs of earlier ones are cut). */
  storeGeneration: number;
  removed: { patients: number; sources: number };
  /** Export runs that were open and are now cut. */
  runsCut: number;
}

/** The removals of a wipe, in the order that never leaves a receipt without its patient. */
async function removeAll(context: GatewayContext, storeGeneration: number): Promise<WipeResult> {
  const { store, config, state, patientChanges } = context;
  const { clinicId, retryAfterSeconds: retry } = config;
  const runsCut = await context.runs.cutOpenRuns();
  try {
    await withStore(() => store.receipts.deleteMany({ clinicId }), retry);
    const patients = await withStore(() => store.patients.deleteMany({ clinicId }), retry);
    const sources = await withStore(() => store.sources.deleteMany({ clinicId }), retry);
    await context.gate.endWipe();
    return {
      wiped: true,
      storeGeneration,
      removed: { patients: patients.deletedCount, sources: sources.deletedCount },
      runsCut,
    };
  } finally {
    state.patientSetVersion += 1;
    patientChanges.wiped(clinicId);
  }
}

/** Wipes every record of the clinic; throws STORE_UNAVAILABLE when the store fails (ask again). */
export async function wipeAllRecords(context: GatewayContext): Promise<WipeResult> {
  return context.gate.alone(async () => {
    const storeGeneration = await context.gate.beginWipe();
    const result = await removeAll(context, storeGeneration);
    context.logger.warn(
      { clinicId: context.config.clinicId, ...result.removed, runsCut: result.runsCut, storeGeneration },
      'all records wiped',
    );
    return result;
  });
}

/** At start: finishes a wipe that began and never ended. */
export async function finishInterruptedWipe(context: GatewayContext): Promise<void> {
  try {
    if (!(await context.gate.wipeUnfinished())) return;
    await context.gate.alone(async () => {
      const storeGeneration = await context.gate.generation();
      const result = await removeAll(context, storeGeneration);
      context.logger.warn(
        { ...result.removed, runsCut: result.runsCut, storeGeneration },
        'a wipe of all records that stopped half-way was finished',
      );
    });
  } catch (error) {
    context.logger.warn(
      { error: describeError(error) },
      'an unfinished wipe could not be finished yet; ask for the wipe again',
    );
  }
}
