/** Where the project lives on disk, found once from this file's location (source or dist). */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'core'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The project's root folder (the one holding package.json). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

/** The folder of project-local tools (FerretDB), git-ignored. */
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
