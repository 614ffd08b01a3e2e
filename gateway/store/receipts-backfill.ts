/**
 * The one-off step that gives a store written by an older gateway its receipts: one receipt
 * per patient, made from the patient document (whose `lastRunId` the older version kept), in
 * batches, then a marker in `meta` so it never runs again. Safe beside ingest: a receipt that
 * ingest wrote first is kept (duplicate keys are skipped), and one written later replaces it.
 */
import { MongoBulkWriteError, type AnyBulkWriteOperation } from 'mongodb';
import type { Logger } from '../../core/logger';
import type { GatewayStore, StoredReceipt } from './connect';

/** The `meta` marker that the receipts are complete. */
export const RECEIPTS_MARKER = 'receipts';

const BATCH = 1000;

/** The fields of a patient written by an older version that a receipt is made from. */
interface OlderPatient {
  _id: string;
  clinicId: string;
  sourceHash: string;
  lastRunId?: string;
  sectionCounts?: Record<string, number>;
  createdAt?: Date;
  updatedAt?: Date;
}

function receiptOf(patient: OlderPatient, now: Date): StoredReceipt {
  const receipt: StoredReceipt = {
    _id: patient._id,
    clinicId: patient.clinicId,
    sourceHash: patient.sourceHash,
    runId: patient.lastRunId,
    sectionCounts: patient.sectionCounts ?? {},
    createdAt: patient.createdAt ?? now,
    updatedAt: patient.updatedAt ?? now,
  };
  if (receipt.runId === undefined) delete receipt.runId;
  return receipt;
}

/** Inserts a batch, skipping receipts that already exist; returns how many were inserted. */
async function insertNew(store: Pick<GatewayStore, 'receipts'>, receipts: StoredReceipt[]): Promise<number> {
  const operations: AnyBulkWriteOperation<StoredReceipt>[] = receipts.map((document) => ({ insertOne: { document } }));
  try {
    return (await store.receipts.bulkWrite(operations, { ordered: false })).insertedCount;
  } catch (error) {
    const onlyDuplicates = error instanceof MongoBulkWriteError && [error.writeErrors].flat().every((writeError) => writeError.code === 11000);
    if (!onlyDuplicates) throw error;
    return error.result.insertedCount;
  }
}

/** Back-fills receipts once; returns how many were made (0 when already done). */
export async function backfillReceipts(store: Pick<GatewayStore, 'patients' | 'receipts' | 'meta'>, logger: Logger): Promise<number> {
  if (await store.meta.findOne({ _id: RECEIPTS_MARKER })) return 0;
  const now = new Date();
  const cursor = store.patients.find({}, { projection: { clinicId: 1, sourceHash: 1, lastRunId: 1, sectionCounts: 1, createdAt: 1, updatedAt: 1 }, batchSize: BATCH });
  let batch: StoredReceipt[] = [];
  let made = 0;
  for await (const patient of cursor) {
    batch.push(receiptOf(patient as unknown as OlderPatient, now));
    if (batch.length === BATCH) {
      made += await insertNew(store, batch);
      batch = [];
    }
  }
  if (batch.length > 0) made += await insertNew(store, batch);
  await store.meta.updateOne({ _id: RECEIPTS_MARKER }, { $set: { completedAt: new Date(), made } }, { upsert: true });
  if (made > 0) logger.info({ receipts: made }, 'receipts made for the patients an older version stored');
  return made;
}
