/**
 * The gateway's store: one MongoClient, its collections and their indexes. Every index
 * here is accepted by FerretDB 1.24 as well as MongoDB (multikey indexes on array subfields).
 */
import { Binary, MongoClient, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';
import type { StoredPatient } from './patient-document';

/** A stored E2E document as received, gzip-compressed, to re-derive the patient later. */
export interface StoredSource {
  /** The patient key. */
  _id: string;
  clinicId: string;
  demographicNo: string;
  /** SHA-256 (hex) of the received bytes, as in the patient's `sourceHash`. */
  sourceHash: string;
  /** The received bytes, gzip-compressed (a Binary when read back). */
  gzip: Buffer | Binary;
  receivedAt: Date;
}

/** The bytes of a stored binary field, whether the driver gives a Buffer or a Binary. */
export function bytesOf(value: Buffer | Binary): Buffer {
  if (value instanceof Binary) return Buffer.from(value.buffer.buffer, value.buffer.byteOffset, value.position);
  return value;
}

/**
 * The gateway's receipt of a patient's latest document: the small record the nightly paths
 * read and write — the unchanged check (hash), the run bookkeeping (the last run that sent it)
 * and the counts — so an unchanged re-send never reads or rewrites the large patient document.
 * Written after the patient (the commit point of an ingest), removed after it.
 */
export interface StoredReceipt {
  /** The patient key. */
  _id: string;
  clinicId: string;
  /** SHA-256 (hex) of the received bytes, as in the patient's `sourceHash`. */
  sourceHash: string;
  /** The export run that last sent this patient (for the full-run sweep). */
  runId?: string;
  /** Entry counts per section of the document. */
  sectionCounts: Record<string, number>;
  createdAt: Date;
  updatedAt: Date;
}

/** The export modes. */
export type RunMode = 'full' | 'differential';

/** What a completed run's sweep did. */
export interface RunSweep {
  performed: boolean;
  removed: number;
  /** Why nothing was removed, when nothing was. */
  reason?: string;
}

/** One export run. */
export interface StoredRun {
  _id: string;
  clinicId: string;
  mode: RunMode;
  /** `cut`: a wipe of all records happened while it was open; it can never complete. */
  state: 'open' | 'complete' | 'cut';
  /** The store generation it started in (absent: started before generations existed, i.e. 0). */
  storeGeneration?: number;
  startedAt: Date;
  cutAt?: Date;
  completedAt?: Date;
  patientsSent?: number;
  patientsReceived?: number;
  sweep?: RunSweep;
}

/** The open store. */
export interface GatewayStore {
  client: MongoClient;
  db: Db;
  patients: Collection<StoredPatient>;
  runs: Collection<StoredRun>;
  sources: Collection<StoredSource>;
  receipts: Collection<StoredReceipt>;
  /** One-off markers (e.g. that receipts were back-filled from an older store). */
  meta: Collection<{ _id: string; [field: string]: unknown }>;
  /** Pings the server; throws when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The indexes of `patients`: one per field the hub's queries filter or group on. */
export const PATIENT_INDEXES: IndexDescription[] = [
  { key: { birthDate: 1 }, name: 'birthDate' },
  { key: { gender: 1 }, name: 'gender' },
  { key: { providerId: 1 }, name: 'providerId' },
  { key: { activeProblemCodes: 1 }, name: 'activeProblemCodes' },
  { key: { activeMedicationAtc: 1 }, name: 'activeMedicationAtc' },
  { key: { activeMedicationDin: 1 }, name: 'activeMedicationDin' },
  { key: { activeMedicationCount: 1 }, name: 'activeMedicationCount' },
  { key: { 'observations.code': 1, 'observations.time': 1 }, name: 'observation_code_time' },
  { key: { 'immunizations.code': 1, 'immunizations.date': 1 }, name: 'immunization_code_date' },
];

/** The indexes of `runs` and `sources`. */
export const RUN_INDEXES: IndexDescription[] = [{ key: { clinicId: 1, startedAt: -1 }, name: 'clinic_started' }];
/** Indexes of `sources`. */
export const SOURCE_INDEXES: IndexDescription[] = [{ key: { clinicId: 1 }, name: 'clinicId' }];
/** Indexes of `receipts`. */
export const RECEIPT_INDEXES: IndexDescription[] = [{ key: { clinicId: 1, runId: 1 }, name: 'clinic_run' }];
/** Indexes of `patients` that older versions made and this one no longer needs (run bookkeeping moved to `receipts`). */
const OBSOLETE_PATIENT_INDEXES = ['clinic_lastRun', 'lastRunId'];

/** Where and how to connect. */
export interface StoreOptions {
  url: string;
  database: string;
  /** Server selection and connect timeout: how long an operation waits for a missing server. */
  timeoutMs: number;
}

/**
 * Returns the store without waiting for the server: the driver connects on the first
 * operation, so the gateway starts (and answers livez, readyz 503) while MongoDB is away.
 */
export function connectStore(options: StoreOptions): GatewayStore {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.timeoutMs,
    connectTimeoutMS: options.timeoutMs,
    maxPoolSize: 20,
  });
  const db = client.db(options.database);
  return {
    client,
    db,
    patients: db.collection<StoredPatient>('patients'),
    runs: db.collection<StoredRun>('runs'),
    sources: db.collection<StoredSource>('sources'),
    receipts: db.collection<StoredReceipt>('receipts'),
    meta: db.collection<{ _id: string; [field: string]: unknown }>('meta'),
    ping: async () => void (await db.command({ ping: 1 })),
    close: () => client.close(),
  };
}

/** Connects, creates the indexes (idempotent) and returns the store. */
export async function openStore(options: StoreOptions): Promise<GatewayStore> {
  const store = connectStore(options);
  await store.client.connect();
  await ensureIndexes(store);
  return store;
}

/**
 * Creates the indexes a collection lacks, one at a time, and drops `obsolete` ones. (FerretDB
 * 1.24 closes the connection when `createIndexes` names two or more indexes that all exist, so
 * a restarted gateway never asks for the ones it has.)
 */
async function ensureCollectionIndexes<T extends Document>(
  collection: Collection<T>,
  wanted: IndexDescription[],
  obsolete: string[] = [],
): Promise<void> {
  const present = new Set(
    await collection
      .listIndexes()
      .toArray()
      .then(
        (indexes) => indexes.map((index) => String(index.name)),
        () => [] as string[],
      ),
  );
  for (const index of wanted) if (!present.has(String(index.name))) await collection.createIndexes([index]);
  for (const name of obsolete) if (present.has(name)) await collection.dropIndex(name);
}

/** Creates the collections' missing indexes and drops the ones older versions made that are no longer used. */
export async function ensureIndexes(
  store: Pick<GatewayStore, 'patients' | 'runs' | 'sources' | 'receipts'>,
): Promise<void> {
  await ensureCollectionIndexes(store.patients, PATIENT_INDEXES, OBSOLETE_PATIENT_INDEXES);
  await ensureCollectionIndexes(store.runs, RUN_INDEXES);
  await ensureCollectionIndexes(store.sources, SOURCE_INDEXES);
  await ensureCollectionIndexes(store.receipts, RECEIPT_INDEXES);
}
