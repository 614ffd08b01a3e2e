/**
 * The version of what `derive.ts` stores for a patient, kept in `meta`. A gateway whose derivation
 * is newer than the one that wrote the store re-derives every patient from the stored documents
 * once, in the background (gateway/reimport.ts), so a new query field never reads as absent for
 * the patients whose documents have not changed since.
 */
import type { GatewayStore } from './connect';

/**
 * Raise when derive.ts changes what it stores. 2: prescriptions, screenings, family history,
 * ICD9-only `activeProblemCodes`, provider keys with their kind.
 */
export const DERIVATION_VERSION = 2;

/** The `meta` document that records the version the stored patients were derived with. */
export const DERIVATION_MARKER = 'derivation';

/**
 * True when stored patients were derived by an older version. A store whose patients all carry
 * this version (an empty one, or one a fresh gateway filled before this check ran) is marked
 * current at once (nothing to re-derive).
 */
export async function derivationOutdated(store: Pick<GatewayStore, 'meta' | 'patients'>): Promise<boolean> {
  const marker = await store.meta.findOne({ _id: DERIVATION_MARKER });
  const version = typeof marker?.version === 'number' ? marker.version : 1;
  if (version >= DERIVATION_VERSION) return false;
  const older = {
    $or: [{ derivationVersion: { $exists: false } }, { derivationVersion: { $lt: DERIVATION_VERSION } }],
  };
  if ((await store.patients.findOne(older, { projection: { _id: 1 } })) === null) {
    await markDerivationCurrent(store);
    return false;
  }
  return true;
}

/** Records that every stored patient is derived by this version. */
export async function markDerivationCurrent(store: Pick<GatewayStore, 'meta'>): Promise<void> {
  await store.meta.updateOne(
    { _id: DERIVATION_MARKER },
    { $set: { version: DERIVATION_VERSION, markedAt: new Date() } },
    { upsert: true },
  );
}
