/**
 * The long-running commands are started with the CLI's Node flags (the heap limit) wherever
 * deploy/ starts them: the gateway and export units and the crontab. Others (the updater, the
 * Nagios checks) are short and keep Node's defaults.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HEAP_LIMIT_MB, LONG_RUNNING_NODE_FLAGS } from '../../cli/node-flags';

const DEPLOY = path.join(__dirname, '..', '..', 'deploy');
const LONG_RUNNING = /main\.js (gateway start|export (run|schedule))\b/;

/** Every command line in a deploy file that runs node on the CLI: [file, line]. */
function nodeCommandLines(file: string): string[] {
  return readFileSync(path.join(DEPLOY, file), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#') && /\bnode\b.*main\.js/.test(line));
}

/** The node options of a command line: the words between `node` and the script. */
function nodeOptions(line: string): string[] {
  const words = line.split(/\s+/);
  const node = words.findIndex((word) => word === 'node' || word.endsWith('/node'));
  const script = words.findIndex((word) => word.endsWith('main.js'));
  return words.slice(node + 1, script);
}

test.each(['systemd/e2e-gateway.service', 'systemd/e2e-export.service', 'cron/e2e-endpoint.crontab'])(
  '%s starts its long-running command with the heap limit',
  (file) => {
    const lines = nodeCommandLines(file).filter((line) => LONG_RUNNING.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(nodeOptions(line)).toEqual(expect.arrayContaining([...LONG_RUNNING_NODE_FLAGS]));
  },
);

test('node started with the flags has that heap limit', () => {
  const probe = spawnSync(
    process.execPath,
    [
      ...LONG_RUNNING_NODE_FLAGS,
      '-e',
      "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))",
    ],
    { encoding: 'utf8' },
  );
  expect(probe.status).toBe(0);
  const limitMiB = Number(probe.stdout) / 2 ** 20;
  // The heap limit is the old-space limit plus the young generation (a few tens of MB).
  expect(limitMiB).toBeGreaterThanOrEqual(HEAP_LIMIT_MB);
  expect(limitMiB).toBeLessThan(HEAP_LIMIT_MB + 128);
});
