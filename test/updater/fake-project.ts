/**
 * A tiny project standing in for e2e-endpoint in updater tests: a real HTTP server (server.js)
 * with the gateway's health/admin contract, a build script, and behaviour switched by files in
 * the commit (`build-fails`, `build-sleeps`, `not-ready`, `crash-after-ready`).
 */

/** package.json of the fake project (no dependencies, so `npm ci` works offline). */
export const PACKAGE_JSON = JSON.stringify({ name: 'fake-gateway', version: '1.0.0', private: true, scripts: { build: 'node build.js', postinstall: 'touch installed-by-npm' } }, null, 2);

/** Its package-lock.json. */
export const PACKAGE_LOCK = JSON.stringify(
  { name: 'fake-gateway', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'fake-gateway', version: '1.0.0' } } },
  null,
  2,
);

/** Build: writes dist/commit.txt; fails, or sleeps (writing its pid), when the commit says so. */
export const BUILD_JS = `
const fs = require('node:fs');
const { execSync } = require('node:child_process');
if (fs.existsSync('build-fails')) {
  console.error('build error: the commit asked for it');
  process.exit(1);
}
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/started-building', String(process.pid));
const sleepPidFile = process.env.FAKE_BUILD_PID_FILE;
if (fs.existsSync('build-sleeps') && sleepPidFile) {
  fs.writeFileSync(sleepPidFile, String(process.pid));
  setTimeout(() => undefined, 120000);
} else {
  const commit = process.env.ENDPOINT_RELEASE_COMMIT || execSync('git rev-parse HEAD').toString().trim();
  fs.writeFileSync('dist/commit.txt', commit);
}
`;

/** The stand-in gateway: node server.js <port> <busyFile> <adminToken>. */
export const SERVER_JS = `
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const [port, busyFile, adminToken] = process.argv.slice(2);
const here = __dirname;
const commit = fs.readFileSync(path.join(here, 'dist', 'commit.txt'), 'utf8').trim();
const startedAt = new Date().toISOString();
let draining = false;
const send = (res, status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
const server = http.createServer((req, res) => {
  if (req.url === '/livez') return send(res, 200, { status: 'ok' });
  if (req.url === '/readyz') {
    if (fs.existsSync(path.join(here, 'not-ready'))) return send(res, 503, { ready: false, reasons: ['store unreachable (commit says so)'] });
    if (draining) return send(res, 503, { ready: false, reasons: ['draining'] });
    return send(res, 200, { ready: true });
  }
  if (req.url === '/status') {
    const busy = busyFile && fs.existsSync(busyFile);
    return send(res, 200, { version: '1.0.0', commit, startedAt, uptimeSeconds: 0, draining, importsInFlight: busy ? 1 : 0, runningQueries: 0,
      progress: { requestsCompleted: 0, importsCompleted: 0 }, lastRun: null, patientCount: 0, reimport: null });
  }
  if (req.method === 'POST' && (req.url === '/admin/drain' || req.url === '/admin/undrain')) {
    if (req.headers.authorization !== 'Bearer ' + adminToken) return send(res, 401, { error: 'UNAUTHORIZED' });
    draining = req.url === '/admin/drain';
    fs.appendFileSync(path.join(here, '..', '..', 'admin.log'), req.url + ' ' + commit + '\\n');
    return send(res, 200, { draining });
  }
  send(res, 404, { error: 'NOT_FOUND' });
});
server.listen(Number(port), '127.0.0.1');
if (fs.existsSync(path.join(here, 'crash-after-ready'))) setTimeout(() => process.exit(3), 700);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** The restart command: stops the server in the pidfile, starts `current/server.js` detached. */
export function restartScript(deployDir: string, port: number, busyFile: string, adminToken: string): string {
  return `#!/bin/sh
# Restarts the stand-in gateway from the current link (what systemctl restart does in production).
cd "${deployDir}"
if [ -f server.pid ]; then
  pid=$(cat server.pid)
  kill "$pid" 2>/dev/null
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f server.pid
fi
echo "restart $(readlink current)" >> restarts.log
nohup node "${deployDir}/current/server.js" ${port} "${busyFile}" "${adminToken}" >> server.log 2>&1 < /dev/null &
echo $! > server.pid
`;
}
