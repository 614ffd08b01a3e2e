/**
 * Crash-safe files: JSON written atomically (temp file, fsync, rename), so a reader never sees
 * half a status or state file, and a killed process or a full disk leaves either the old or the new one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `content` to `file` atomically (same folder temp file + fsync + rename). On any error
 * (a full disk) the temp file is removed and `file` is left as it was.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const fd = openSync(temp, 'w', 0o640);
  try {
    try {
      // write(2) may write less than asked when the disk fills up: write the rest, or fail with its error.
      for (let offset = 0; offset < bytes.length; ) {
        const written = writeSync(fd, bytes, offset, bytes.length - offset);
        if (written <= 0) throw Object.assign(new Error(`no progress writing ${temp}`), { code: 'EIO' });
        offset += written;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes a value as pretty JSON, atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Reads a JSON file; `undefined` when it does not exist. Throws on unreadable JSON. */
export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}
