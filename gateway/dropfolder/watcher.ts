/**
 * The drop folder, the file transport. Each `.xml` file in the folder is imported once it is
 * complete — written elsewhere and renamed in (best), or its size and modification time
 * unchanged over one poll interval. A file is first moved to `processing/`, imported, then
 * moved to `done/` or to `failed/` beside a `<file>.reason.json` (on a full disk the reason is
 * only logged). At start, and on every scan, files left in `processing/` (a crash, or the store
 * was down) are imported again: re-importing the same bytes is a no-op (content hash), so
 * nothing is lost and nothing counts twice. One file's trouble never stops the scan.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError, isEndpointError } from '../../core/errors';
import { writeJsonAtomic } from '../../core/files';
import type { GatewayContext } from '../context';
import { ingestDocument } from '../ingest';

/** The drop folder's sub-folders. */
export const DROP_SUBFOLDERS = { processing: 'processing', done: 'done', failed: 'failed' } as const;

/** Error codes after which a file stays in `processing/` to be retried (not the file's fault). */
const RETRY_LATER_CODES = new Set(['STORE_UNAVAILABLE', 'DRAINING', 'SERVICE_UNAVAILABLE']);

/** A running drop folder watcher. */
export interface DropFolder {
  /** Scans once now (tests and `import DIR` use this). */
  scan(): Promise<void>;
  /** Stops watching after the file being imported, if any. */
  stop(): Promise<void>;
}

/** A file that is not in its final place yet: where it would go if the name is taken. */
async function freeName(folder: string, name: string): Promise<string> {
  const target = path.join(folder, name);
  if (!existsSync(target)) return target;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(folder, name.replace(/\.xml$/i, `.${stamp}.xml`));
}

/** Imports one file sitting in `processing/` and moves it to `done/` or `failed/`. */
async function importProcessingFile(context: GatewayContext, root: string, name: string): Promise<void> {
  const file = path.join(root, DROP_SUBFOLDERS.processing, name);
  try {
    const { size } = await stat(file);
    const result = await context.readBudget.run(size, async () => ingestDocument(context, await readFile(file)));
    await rename(file, await freeName(path.join(root, DROP_SUBFOLDERS.done), name));
    context.logger.info(
      { file: name, patientKey: result.patientKey, outcome: result.outcome },
      'drop folder file imported',
    );
  } catch (error) {
    const code = isEndpointError(error) ? error.code : 'INTERNAL';
    if (RETRY_LATER_CODES.has(code)) {
      context.logger.warn({ file: name, code }, 'drop folder file kept for a retry');
      return;
    }
    const target = await freeName(path.join(root, DROP_SUBFOLDERS.failed), name);
    try {
      writeJsonAtomic(`${target}.reason.json`, {
        file: name,
        error: code,
        message: describeError(error),
        failedAt: new Date().toISOString(),
      });
    } catch (noteError) {
      // A full disk must not keep the file in processing/ (and the files behind it waiting): the move needs no space.
      context.logger.error(
        { file: name, code, folder: root, noteError: describeError(noteError) },
        'drop folder failure note could not be written; the reason is only in this log',
      );
    }
    await rename(file, target);
    context.logger.warn({ file: name, code }, 'drop folder file failed');
  }
}

async function xmlFilesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.xml$/i.test(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/** Starts watching `root` (polling every `pollMs`); recovers `processing/` first. */
export async function startDropFolder(context: GatewayContext, root: string, pollMs: number): Promise<DropFolder> {
  for (const sub of Object.values(DROP_SUBFOLDERS)) await mkdir(path.join(root, sub), { recursive: true });
  /** Size and time of each file at the last scan: equal twice in a row = complete. */
  const lastSeen = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  /** One file's trouble (a move failing on a full disk) is logged and must not hold up the files behind it. */
  const importOne = async (name: string): Promise<void> => {
    try {
      await importProcessingFile(context, root, name);
    } catch (error) {
      context.logger.error(
        { file: name, folder: root, error: describeError(error) },
        'drop folder file left in processing/ for the next scan',
      );
    }
  };

  const scanOnce = async (): Promise<void> => {
    if (context.state.draining) return;
    for (const name of await xmlFilesIn(path.join(root, DROP_SUBFOLDERS.processing))) {
      if (stopped) return;
      await importOne(name);
    }
    const present = new Set<string>();
    for (const name of await xmlFilesIn(root)) {
      if (stopped) return;
      present.add(name);
      const info = await stat(path.join(root, name)).catch(() => undefined);
      if (!info) continue;
      const signature = `${info.size}:${info.mtimeMs}`;
      if (lastSeen.get(name) !== signature) {
        lastSeen.set(name, signature);
        continue;
      }
      lastSeen.delete(name);
      await rename(path.join(root, name), path.join(root, DROP_SUBFOLDERS.processing, name));
      await importOne(name);
    }
    for (const name of lastSeen.keys()) if (!present.has(name)) lastSeen.delete(name);
  };

  const scan = (): Promise<void> => {
    running = running
      .then(scanOnce)
      .catch((error: unknown) => context.logger.error({ error: describeError(error) }, 'drop folder scan failed'));
    return running;
  };
  const tick = (): void => {
    void scan().then(() => {
      if (!stopped) timer = setTimeout(tick, pollMs);
    });
  };
  tick();
  return {
    scan,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
