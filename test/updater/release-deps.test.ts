/**
 * Issue 15, item 9: a release holds its production dependencies only. The real updater (a child
 * process) builds a commit of a small project with one production and one dev dependency (local
 * npm tarballs, so npm works offline) with the default install, build, prune and self-test
 * commands: the build can use the dev dependency, the release keeps only the production one, the
 * dev dependency's download-at-postinstall (as mongodb-memory-server's) is switched off, and the
 * checkout stays clean for the next update.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UpdaterTestbed } from './testbed';

jest.setTimeout(120_000);

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let bed: UpdaterTestbed;
afterEach(() => bed.destroy());

/** Packs a tiny npm package into the working clone's vendor/ folder; returns the tarball's name. */
function vendorPackage(name: string, files: Record<string, string>, scripts: Record<string, string> = {}): string {
  const dir = path.join(bed.root, 'packages', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', scripts }));
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  mkdirSync(path.join(bed.workDir, 'vendor'), { recursive: true });
  return execFileSync('npm', ['pack', '--silent', '--pack-destination', path.join(bed.workDir, 'vendor')], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
}

test('the default commands build with the dev dependencies and leave only the production ones in the release', async () => {
  bed = await UpdaterTestbed.create();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_offline: 'true', ...bed.env() };
  expect(spawnSync(process.execPath, [CLI, 'update', 'run'], { env, encoding: 'utf8' }).stdout).toMatch(/^updated:/);

  const prod = vendorPackage('prodlib', { 'index.js': 'module.exports = "prod";\n' });
  const dev = vendorPackage(
    'devtool',
    {
      'index.js': 'module.exports = "dev";\n',
      'postinstall.js':
        "if (!process.env.MONGOMS_DISABLE_POSTINSTALL) require('fs').writeFileSync(require('path').join(process.env.INIT_CWD, 'downloaded-a-mongod'), 'x');\n",
    },
    { postinstall: 'node postinstall.js' },
  );
  const manifest = {
    name: 'fake-gateway',
    version: '2.0.0',
    private: true,
    scripts: { build: 'node build.js' },
    dependencies: { prodlib: `file:vendor/${prod}` },
    devDependencies: { devtool: `file:vendor/${dev}` },
  };
  writeFileSync(path.join(bed.workDir, 'package.json'), JSON.stringify(manifest, null, 2));
  execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--silent'], {
    cwd: bed.workDir,
  });
  // The build needs the dev dependency (as tsc), then writes what the fake gateway serves.
  writeFileSync(
    path.join(bed.workDir, 'build.js'),
    `require('devtool');\n${readFileSync(path.join(bed.workDir, 'build.js'), 'utf8')}`,
  );
  const release = bed.commit('with dependencies', {});

  // The defaults (npm ci, npm prune --omit=dev --no-save), and a self-test that fails when the dev dependency is still there.
  const defaults: NodeJS.ProcessEnv = {
    ...env,
    ENDPOINT_UPDATE_SELF_TEST_COMMAND:
      "node -e \"require('prodlib'); try { require('devtool'); process.exit(1) } catch {}\"",
  };
  delete defaults.ENDPOINT_UPDATE_INSTALL_COMMAND;
  delete defaults.ENDPOINT_UPDATE_PRUNE_COMMAND;
  const run = spawnSync(process.execPath, [CLI, 'update', 'run'], {
    env: defaults,
    encoding: 'utf8',
    timeout: 100_000,
  });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^updated:/);
  const modules = path.join(bed.deployDir, 'releases', release, 'node_modules');
  expect(readdirSync(modules).filter((name) => !name.startsWith('.'))).toEqual(['prodlib']);
  expect(existsSync(path.join(bed.deployDir, 'releases', release, 'downloaded-a-mongod'))).toBe(false);
  expect(await bed.servingCommit()).toBe(release);
  // Nothing changed in the checkout (package-lock.json as committed): the next update is not refused.
  const third = bed.commit('third', { CHANGELOG: 'v3\n' });
  expect(
    spawnSync(process.execPath, [CLI, 'update', 'run'], { env: defaults, encoding: 'utf8', timeout: 100_000 }).stdout,
  ).toMatch(/^updated:/);
  expect(await bed.servingCommit()).toBe(third);
});
