/**
 * What the generator writes: the column list of each table's INSERT (columns common to both
 * schema variants), the running id counters, and date helpers relative to the clinic's
 * reference date (so the same seed gives the same data whatever day it runs).
 */
import type { Random } from './prng';
import { RowBuffer, type RowBatch, type SqlValue } from './sql-text';

/** The columns the generator fills, per table (the others keep their defaults). */
// prettier-ignore
export const INSERT_COLUMNS = {
  demographic: ['demographic_no', 'title', 'last_name', 'first_name', 'address', 'city', 'province', 'postal', 'phone', 'phone2', 'email', 'year_of_birth', 'month_of_birth', 'date_of_birth', 'hin', 'ver', 'roster_status', 'roster_date', 'patient_status', 'patient_status_date', 'date_joined', 'chart_no', 'official_lang', 'spoken_lang', 'provider_no', 'sex', 'end_date', 'eff_date', 'hc_type', 'hc_renew_date', 'family_doctor', 'lastUpdateUser', 'lastUpdateDate'],
  dxresearch: ['dxresearch_no', 'demographic_no', 'start_date', 'update_date', 'status', 'dxresearch_code', 'coding_system', 'association'],
  drugs: ['drugid', 'provider_no', 'demographic_no', 'rx_date', 'end_date', 'written_date', 'BN', 'GCN_SEQNO', 'customName', 'takemin', 'takemax', 'freqcode', 'duration', 'durunit', 'quantity', 'repeat', 'nosubs', 'prn', 'special', 'archived', 'GN', 'ATC', 'regional_identifier', 'unit', 'method', 'route', 'drug_form', 'create_date', 'dosage', 'long_term', 'archived_reason', 'archived_date', 'position', 'lastUpdateDate'],
  allergies: ['allergyid', 'demographic_no', 'entry_date', 'DESCRIPTION', 'TYPECODE', 'reaction', 'archived', 'start_date', 'severity_of_reaction', 'onset_of_reaction', 'regional_identifier', 'position', 'lastUpdateDate', 'providerNo'],
  measurements: ['id', 'type', 'demographicNo', 'providerNo', 'dataField', 'measuringInstruction', 'comments', 'dateObserved', 'dateEntered', 'appointmentNo'],
  measurementsExt: ['id', 'measurement_id', 'keyval', 'val'],
  patientLabRouting: ['id', 'demographic_no', 'lab_no', 'lab_type', 'created'],
  hl7TextInfo: ['id', 'lab_no', 'sex', 'health_no', 'result_status', 'final_result_count', 'obr_date', 'priority', 'requesting_client', 'discipline', 'last_name', 'first_name', 'report_status', 'accessionNum', 'filler_order_num', 'sending_facility'],
  preventions: ['id', 'demographic_no', 'creation_date', 'prevention_date', 'provider_no', 'provider_name', 'prevention_type', 'deleted', 'refused', 'next_date', 'never', 'creator', 'lastUpdateDate'],
  preventionsExt: ['id', 'prevention_id', 'keyval', 'val'],
  casemgmt_note: ['note_id', 'update_date', 'observation_date', 'demographic_no', 'provider_no', 'note', 'signed', 'include_issue_innote', 'signing_provider_no', 'encounter_type', 'billing_code', 'program_no', 'reporter_caisi_role', 'history', 'password', 'locked', 'archived', 'position', 'uuid', 'appointmentNo'],
  casemgmt_note_ext: ['id', 'note_id', 'key_val', 'value', 'date_value'],
  casemgmt_issue: ['id', 'demographic_no', 'issue_id', 'acute', 'certain', 'major', 'resolved', 'program_id', 'type', 'update_date'],
  casemgmt_issue_notes: ['id', 'note_id'],
} as const;

/** A table the generator fills per patient. */
export type PatientTable = keyof typeof INSERT_COLUMNS;

/** The per-patient tables, in insert order. */
export const PATIENT_TABLES = Object.keys(INSERT_COLUMNS) as PatientTable[];

/** The next id of every auto-increment key the generator assigns itself (ids are explicit, so deterministic). */
export class IdCounters {
  private readonly next = new Map<string, number>();

  /** Takes the next id of a sequence (starting at 1). */
  take(sequence: PatientTable | 'labNo'): number {
    const id = this.next.get(sequence) ?? 1;
    this.next.set(sequence, id + 1);
    return id;
  }
}

/** Row buffers for the per-patient tables. */
export class PatientRows {
  private readonly buffers = new Map<PatientTable, RowBuffer>();

  constructor() {
    for (const table of PATIENT_TABLES) this.buffers.set(table, new RowBuffer(table, INSERT_COLUMNS[table]));
  }

  /** Adds one row to a table (values in {@link INSERT_COLUMNS} order). */
  add(table: PatientTable, values: readonly SqlValue[]): void {
    (this.buffers.get(table) as RowBuffer).add(values);
  }

  /** Takes the rows added so far, per table (tables without new rows left out). */
  drain(): Map<PatientTable, RowBatch> {
    const batches = new Map<PatientTable, RowBatch>();
    for (const [table, buffer] of this.buffers) {
      const batch = buffer.drain();
      if (batch !== null) batches.set(table, batch);
    }
    return batches;
  }

  /** Rows added per table. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.buffers].map(([table, buffer]) => [table, buffer.rowCount]));
  }
}

const DAY_MS = 86_400_000;

/** Dates relative to the clinic's reference day ("today" of the synthetic clinic). */
export class ClinicCalendar {
  readonly referenceMs: number;

  constructor(referenceDate: string) {
    this.referenceMs = Date.parse(`${referenceDate}T00:00:00Z`);
    if (Number.isNaN(this.referenceMs)) throw new Error(`bad reference date ${referenceDate}`);
  }

  /** Milliseconds of the day `days` before the reference day. */
  daysAgo(days: number): number {
    return this.referenceMs - Math.round(days) * DAY_MS;
  }

  private readonly dayText = new Map<number, string>();

  /** `YYYY-MM-DD` (formatted once per day, then cached: the generator formats millions of dates). */
  date(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    let text = this.dayText.get(day);
    if (text === undefined) {
      text = new Date(day * DAY_MS).toISOString().slice(0, 10);
      this.dayText.set(day, text);
    }
    return text;
  }

  /** `YYYY-MM-DD HH:MM:SS`. */
  dateTime(ms: number): string {
    const seconds = Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / 1000);
    const hh = Math.floor(seconds / 3600);
    const mm = Math.floor((seconds % 3600) / 60);
    const ss = seconds % 60;
    return `${this.date(ms)} ${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:${ss < 10 ? '0' : ''}${ss}`;
  }

  /**
   * A clinic visit: a day drawn uniformly from the later of `fromMs` and `maxDaysAgo` days ago up
   * to the reference day, at an office hour (08:00–17:00).
   */
  visit(random: Random, fromMs: number, maxDaysAgo: number): number {
    const earliestDay = Math.min(
      Math.ceil((this.referenceMs - Math.max(fromMs, this.daysAgo(maxDaysAgo))) / DAY_MS),
      maxDaysAgo,
    );
    return this.daysAgo(random.int(0, Math.max(0, earliestDay))) + random.int(8 * 60, 17 * 60) * 60_000;
  }

  /** The same moment `years` calendar years later (Feb 29 → Mar 1 in common years), as MariaDB counts ages. */
  addYears(ms: number, years: number): number {
    const date = new Date(ms);
    date.setUTCFullYear(date.getUTCFullYear() + years);
    return date.getTime();
  }

  /** A moment `minutes` after `ms`, never after the reference moment (end of reference day). */
  later(ms: number, minutes: number): number {
    return Math.min(ms + Math.round(minutes) * 60_000, this.referenceMs + DAY_MS - 1000);
  }
}

/** Milliseconds in a day. */
export const ONE_DAY_MS = DAY_MS;
