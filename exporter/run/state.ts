/**
 * The exporter's run state in `<stateDir>/export-state.json` (atomic writes): the last
 * successful run's watermark and the run in progress. Each patient the gateway (or the file
 * transport) has settled is appended to `export-run.journal` (`<demographicNo> <outcome>` per
 * line), so a killed run resumes without re-sending what was already acknowledged.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../core/files';

/** A run's mode. */
export type ExportMode = 'full' | 'differential';

/** How documents leave: HTTP to the gateway, or files for the drop folder. */
export type ExportTransport = 'http' | 'files';

/** What a settled patient came to. */
export type PatientOutcome = 'created' | 'updated' | 'unchanged' | 'rejected' | 'written' | 'unbuildable';

/** The run in progress, as persisted. */
export interface InProgressRun {
  runId: string;
  mode: ExportMode;
  transport: ExportTransport;
  /** Output folder of the file transport. */
  outDir?: string;
  startedAt: string;
  /** Database time at the first attempt's snapshot: the watermark this run will leave. */
  watermark: string;
  /** Differential runs: the watermark they read changes from. */
  since?: string;
  /** How many times the run was (re)started. */
  attempts: number;
  /** The gateway's store generation when the run started (it grows with every wipe of all records). */
  storeGeneration?: number;
}

/** `export-state.json`. */
export interface ExportStateFile {
  /**
   * The last run that ended with every patient settled, and the store generation it was sent into:
   * a differential run that finds the gateway's store wiped since (another generation) runs full.
   */
  lastSuccess?: { runId: string; mode: ExportMode; watermark: string; finishedAt: string; storeGeneration?: number };
  /** The last completed full run (the gateway's sweep). */
  lastFullSuccess?: { runId: string; watermark: string; finishedAt: string; storeGeneration?: number };
  inProgress?: InProgressRun;
  /** Differential runs: patients seen leaving AC since the last full run (swept by the next full run). */
  leftActivePending: number[];
  /** Set when the gateway cut a run (its store was wiped): the next run is a full one, whatever was asked. */
  storeWiped?: boolean;
  /** When the last run started (the schedule compares the backup marker with it). */
  lastRunStartedAt?: string;
}

/** The state files of one state folder. */
export class ExportState {
  /** `export-state.json`. */
  readonly file: string;
  /** `export-run.journal`. */
  readonly journalFile: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'export-state.json');
    this.journalFile = path.join(stateDir, 'export-run.journal');
  }

  /** Reads the state (empty when there is none). */
  read(): ExportStateFile {
    return { leftActivePending: [], ...(readJsonFile<ExportStateFile>(this.file) ?? {}) };
  }

  /** Writes the state atomically. */
  write(state: ExportStateFile): void {
    writeJsonAtomic(this.file, state);
  }

  /** Changes the state with `change` and writes it. */
  update(change: (state: ExportStateFile) => void): ExportStateFile {
    const state = this.read();
    change(state);
    this.write(state);
    return state;
  }

  /** The settled patients of the run in progress (a torn last line is ignored). */
  readJournal(runId: string): Map<number, PatientOutcome> {
    const settled = new Map<number, PatientOutcome>();
    let text: string;
    try {
      text = readFileSync(this.journalFile, 'utf8');
    } catch {
      return settled;
    }
    const lines = text.split('\n');
    if (lines[0] !== `run ${runId}`) return settled;
    for (const line of lines.slice(1)) {
      const match = /^(\d+) (created|updated|unchanged|rejected|written|unbuildable)$/.exec(line);
      if (match) settled.set(Number(match[1]), match[2] as PatientOutcome);
    }
    return settled;
  }

  /** Starts a fresh journal for a run (keeps it when it already belongs to the run). */
  openJournal(runId: string): void {
    let first = '';
    try {
      first = readFileSync(this.journalFile, 'utf8').split('\n', 1)[0];
    } catch {
      // no journal yet
    }
    if (first !== `run ${runId}`) {
      rmSync(this.journalFile, { force: true });
      appendFileSync(this.journalFile, `run ${runId}\n`);
    } else {
      // A killed writer may have left half a line: end it so the next entry starts clean.
      const text = readFileSync(this.journalFile, 'utf8');
      if (!text.endsWith('\n')) appendFileSync(this.journalFile, '\n');
    }
  }

  /** Records one settled patient (one write(2); survives the process being killed). */
  journal(demographicNo: number, outcome: PatientOutcome): void {
    appendFileSync(this.journalFile, `${demographicNo} ${outcome}\n`);
  }

  /** Removes the journal (the run finished). */
  closeJournal(): void {
    rmSync(this.journalFile, { force: true });
  }
}
