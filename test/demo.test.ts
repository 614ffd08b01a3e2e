import { spawn } from 'node:child_process';
import path from 'node:path';

const DEMO = path.join(__dirname, '..', 'dist', 'dev', 'demo.js');

describe('npm run demo (the README quick start)', () => {
  test('runs the whole mission end to end and exits 0 with a table of released counts', async () => {
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, ENDPOINT_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/demo: /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/synthetic OSCAR clinic of 500 patients/);
    expect(stdout).toMatch(/run complete\s+sweep done/);
    expect(stdout).toMatch(/failed\s+0/);
    expect(stdout).toMatch(/diabetes-hba1c-12m/);
    expect(stdout).toMatch(/hypertension-bp-12m/);
    // The totals are real counts, and small cells are visibly suppressed.
    expect(stdout).toMatch(/\n\s+all\s+[1-9]\d*\s+[1-9]\d*\n/);
    expect(stdout).toMatch(/suppressed/);
    expect(stdout).toMatch(/demo complete in/);
  }, 120_000);
});
