import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

function endpoint(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ENDPOINT_LOG_LEVEL: 'silent' } });
}

describe('endpoint CLI', () => {
  test('--help lists the subcommands', () => {
    const result = endpoint('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: endpoint <command>/);
    expect(result.stdout).toMatch(/\n  e2e\s/);
    expect(result.stdout).toMatch(/\n  dev\s/);
  });

  test('an unknown subcommand is a clear error with exit 2', () => {
    const result = endpoint('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("endpoint: unknown command 'frobnicate'.");
  });

  test('a config error is one sentence naming the variable, not a stack trace', () => {
    const result = spawnSync(process.execPath, [CLI, 'dev', 'services'], {
      encoding: 'utf8',
      env: { ...process.env, ENDPOINT_OSCAR_URL: 'nope' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'endpoint dev: ENDPOINT_OSCAR_URL is "nope", but it must be a URL such as scheme://host:port/path.',
    );
  });
});
