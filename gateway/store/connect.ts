/**
 * The gateway's store: one MongoClient, the three collections and their indexes. Every index
 * here is accepted by FerretDB 1.24 as well as MongoDB (multikey indexes on array subfields).
 */
import { Binary, MongoClient, type Collection, type Db, type IndexDescription } from 'mongodb';
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
  state: 'open' | 'complete';
  startedAt: Date;
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
  /** Pings the server; throws when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The indexes of `patients`: one per field the hub's queries filter or group on. */
export const PATIENT_INDEXES: IndexDescription[] = [
  { key: { clinicId: 1, lastRunId: 1 }, name: 'clinic_lastRun' },
  { key: { lastRunId: 1 }, name: 'lastRunId' },
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

/** Creates the collections' indexes (idempotent). */
export async function ensureIndexes(store: Pick<GatewayStore, 'patients' | 'runs' | 'sources'>): Promise<void> {
  await store.patients.createIndexes(PATIENT_INDEXES);
  await store.runs.createIndexes(RUN_INDEXES);
  await store.sources.createIndexes(SOURCE_INDEXES);
}
