/**
 * The memory engine's data: every stored patient in compact form (gateway/hub/cohort.ts),
 * loaded by one scan of `patients` when the hub starts and kept current by the gateway's feed
 * of patient writes. Writes that arrive during a scan are journaled and replayed over the
 * scanned rows, so a write is never lost to the race between cursor and feed. A re-sent
 * document whose hash disagrees with the entry (a write whose answer was lost) refreshes that
 * one patient from the store. A wipe of all records clears the clinic's entries, fences the
 * refreshes read before it (they are dropped) and reloads the projection from the store, so it
 * cannot keep a patient the store no longer has.
 */
import type { Collection, Document } from 'mongodb';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { PatientChangeListener } from '../store/patient-changes';
import type { StoredPatient } from '../store/patient-document';
import { PATIENT_ROW_PROJECTION, toCohortPatient, type CohortPatient, type PatientRow } from './cohort';

/** Where the projection is. */
export type ProjectionState = 'loading' | 'ready';

type Change =
  | { kind: 'stored'; entry: CohortPatient }
  | { kind: 'removed'; keys: readonly string[] }
  | { kind: 'wiped'; clinicId: string };

const LOAD_BATCH = 2000;
const RETRY_MS = 5000;

/** The hub's in-memory projection of `patients`. */
export class QueryProjection implements PatientChangeListener {
  private entries = new Map<string, CohortPatient>();
  private journal: Change[] | undefined;
  private loaded = false;
  private waiting: (() => void)[] = [];
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Grows with every wipe: a refresh read before one is dropped. */
  private wipes = 0;
  /** A reload asked for while one was running: it runs again when that one ends. */
  private reloadAgain = false;
  /** Rows read by the scan in progress (for progress messages). */
  scanned = 0;
  /** How long the last complete scan took, in ms. */
  lastLoadMs: number | undefined;

  constructor(
    private readonly patients: Collection<Document>,
    private readonly logger: Logger,
  ) {}

  get state(): ProjectionState {
    return this.loaded ? 'ready' : 'loading';
  }

  get size(): number {
    return this.entries.size;
  }

  /** The patients, as of now. */
  values(): IterableIterator<CohortPatient> {
    return this.entries.values();
  }

  /** Starts the first scan (retried in the background while the store is away). */
  start(): void {
    void this.reload();
  }

  /** Scans `patients` into a new map, replays the writes seen meanwhile, then swaps it in. */
  async reload(): Promise<void> {
    if (this.journal) {
      this.reloadAgain = true;
      return;
    }
    this.journal = [];
    this.scanned = 0;
    const started = performance.now();
    try {
      const next = new Map<string, CohortPatient>();
      const cursor = this.patients.find({}, { projection: PATIENT_ROW_PROJECTION, batchSize: LOAD_BATCH });
      for await (const row of cursor) {
        if (this.closed) return;
        const entry = toCohortPatient(row as PatientRow);
        next.set(entry.id, entry);
        this.scanned += 1;
      }
      for (const change of this.journal) apply(next, change);
      this.entries = next;
      this.loaded = true;
      this.lastLoadMs = Math.round(performance.now() - started);
      this.logger.info({ patients: next.size, ms: this.lastLoadMs }, 'hub query projection loaded');
      for (const resolve of this.waiting.splice(0)) resolve();
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'hub query projection could not be loaded; retrying');
      if (!this.closed) this.retryTimer = setTimeout(() => void this.reload(), RETRY_MS);
    } finally {
      this.journal = undefined;
    }
    if (this.reloadAgain && !this.closed) {
      this.reloadAgain = false;
      await this.reload();
    }
  }

  /** Resolves when the projection is loaded; rejects when `signal` aborts first. */
  whenReady(signal?: AbortSignal): Promise<void> {
    if (this.loaded) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Stops loading and forgets everything. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.entries.clear();
  }

  private record(change: Change): void {
    this.journal?.push(change);
    apply(this.entries, change);
  }

  stored(patient: StoredPatient): void {
    this.record({ kind: 'stored', entry: toCohortPatient(patient) });
  }

  removed(keys: readonly string[]): void {
    this.record({ kind: 'removed', keys });
  }

  wiped(clinicId: string): void {
    this.wipes += 1;
    this.record({ kind: 'wiped', clinicId });
    if (this.loaded && !this.closed) void this.reload();
  }

  confirmed(key: string, sourceHash: string): void {
    if (!this.loaded || this.entries.get(key)?.sourceHash === sourceHash) return;
    void this.refresh(key);
  }

  /** Re-reads one patient from the store (by `_id`, an indexed point read). */
  private async refresh(key: string): Promise<void> {
    const wipes = this.wipes;
    try {
      const row = await this.patients.findOne(
        { _id: key as unknown as Document['_id'] },
        { projection: PATIENT_ROW_PROJECTION },
      );
      if (wipes !== this.wipes || this.closed) return;
      if (row) this.record({ kind: 'stored', entry: toCohortPatient(row as PatientRow) });
      else this.record({ kind: 'removed', keys: [key] });
      this.logger.info({ patientKey: key }, 'hub query projection refreshed a stale patient');
    } catch (error) {
      this.logger.warn(
        { patientKey: key, error: describeError(error) },
        'hub query projection could not refresh a patient',
      );
    }
  }
}

function apply(entries: Map<string, CohortPatient>, change: Change): void {
  switch (change.kind) {
    case 'stored':
      entries.set(change.entry.id, change.entry);
      return;
    case 'removed':
      for (const key of change.keys) entries.delete(key);
      return;
    case 'wiped': {
      const prefix = `${change.clinicId}:`;
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    }
  }
}
