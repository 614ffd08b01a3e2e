/**
 * The phase journal (`<stateDir>/update-journal.json`): what an update in progress has done
 * so far, written atomically before each step. When the updater is killed, the next start
 * reads it and repairs: a half-built release is discarded, a switch is verified or rolled
 * back, a drained gateway is undrained.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../core/files';

/** The steps of an update, in order. */
export type UpdatePhase = 'building' | 'draining' | 'switching' | 'restarting' | 'verifying' | 'soaking' | 'rolling-back';

/** What the journal holds. */
export interface JournalEntry {
  phase: UpdatePhase;
  /** The commit being installed. */
  commit: string;
  /** Its release folder. */
  releaseDir: string;
  /** The commit that ran before (absent on a first install). */
  previous?: string;
  /** True once the gateway was asked to drain. */
  drained: boolean;
  startedAt: string;
  pid: number;
}

/** The journal file. */
export class PhaseJournal {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'update-journal.json');
  }

  /** The unfinished update, if any. */
  read(): JournalEntry | undefined {
    try {
      return readJsonFile<JournalEntry>(this.file);
    } catch {
      // A journal that cannot be read is treated as an update killed at the worst moment.
      return undefined;
    }
  }

  /** Starts a journal for a new update. */
  begin(entry: Omit<JournalEntry, 'startedAt' | 'pid' | 'drained'>): JournalEntry {
    const full: JournalEntry = { ...entry, drained: false, startedAt: new Date().toISOString(), pid: process.pid };
    writeJsonAtomic(this.file, full);
    return full;
  }

  /** Records the next phase (and any changed fields). */
  advance(entry: JournalEntry, change: Partial<JournalEntry>): JournalEntry {
    Object.assign(entry, change);
    writeJsonAtomic(this.file, entry);
    return entry;
  }

  /** The update finished (either way): nothing to repair. */
  clear(): void {
    rmSync(this.file, { force: true });
  }
}
