/**
 * The feed of changes to the `patients` collection, told by the gateway's write paths (ingest,
 * re-import, the full-run sweep, admin delete and wipe) after each write succeeds. The hub's
 * in-memory query projection listens to it, so it follows the store without re-reading it.
 */
import type { StoredPatient } from './patient-document';

/** What a listener hears. */
export interface PatientChangeListener {
  /** A patient was written (created or replaced whole). */
  stored(patient: StoredPatient): void;
  /** Patients were removed. */
  removed(keys: readonly string[]): void;
  /** Every patient of a clinic was removed. */
  wiped(clinicId: string): void;
  /** A re-sent document matched the stored one: the patient is in the store with this hash. */
  confirmed(key: string, sourceHash: string): void;
}

/** The feed; listeners are called synchronously, in the order the writes completed. */
export class PatientChanges implements PatientChangeListener {
  private readonly listeners = new Set<PatientChangeListener>();

  /** Adds a listener; returns the function that removes it. */
  listen(listener: PatientChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stored(patient: StoredPatient): void {
    for (const listener of this.listeners) listener.stored(patient);
  }

  removed(keys: readonly string[]): void {
    if (keys.length === 0) return;
    for (const listener of this.listeners) listener.removed(keys);
  }

  wiped(clinicId: string): void {
    for (const listener of this.listeners) listener.wiped(clinicId);
  }

  confirmed(key: string, sourceHash: string): void {
    for (const listener of this.listeners) listener.confirmed(key, sourceHash);
  }
}
