/**
 * Removes one patient's three documents in the order that never leaves a false "unchanged": the
 * receipt is first made to match no document (its hash replaced by a tombstone), then the patient
 * and its source go, then the receipt. A failure half-way leaves a receipt that no re-send matches
 * (so the next send writes the patient whole again) and that a full run's sweep still finds.
 */
import type { GatewayStore } from './connect';
import { withStore } from './store-errors';

/** The hash a receipt carries while its patient is being removed (no SHA-256 looks like it). */
export const REMOVING_HASH = 'removing';

/** Removes the patient `key`; true when a patient document was there. Call under the patient's lock. */
export async function removePatientDocuments(
  store: Pick<GatewayStore, 'patients' | 'sources' | 'receipts'>,
  key: string,
  retryAfterSeconds: number,
): Promise<boolean> {
  const filter = { _id: key };
  await withStore(() => store.receipts.updateOne(filter, { $set: { sourceHash: REMOVING_HASH } }), retryAfterSeconds);
  const removed = await withStore(() => store.patients.deleteOne(filter), retryAfterSeconds);
  await withStore(() => store.sources.deleteOne(filter), retryAfterSeconds);
  await withStore(() => store.receipts.deleteOne(filter), retryAfterSeconds);
  return removed.deletedCount > 0;
}
