/**
 * Issue 15, item 4: the hub link's certificates as an OSP admin makes them after install. Files
 * from deploy/tls.sh are readable by the service user (checked as an unprivileged user with
 * setpriv: the tests run as root, so a plain read would prove nothing); with the network's CA the
 * box sends a request and installs the signed certificate, and the CA key never comes to the box;
 * relative paths work; `gateway start` names the setting of a file it cannot read; `check gateway`
 * rates the days left; install.sh's env file allows only the research hub.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TLS = path.join(ROOT, 'deploy', 'tls.sh');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** The unprivileged user and group standing in for e2e-endpoint (nobody:nogroup). */
const SERVICE_ID = 65534;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'certs-'));
  chmodSync(dir, 0o755); // the service user must be able to walk in, as into /etc/e2e-endpoint
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sh(args: string[], cwd = dir) {
  return spawnSync('bash', [TLS, ...args], { cwd, encoding: 'utf8' });
}

/** Runs a command as the stand-in service user (uid and gid 65534, no other groups). */
function asServiceUser(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync('setpriv', [`--reuid=${SERVICE_ID}`, `--regid=${SERVICE_ID}`, '--clear-groups', command, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 30_000,
  });
}

test('files made by tls.sh after install are readable by the service user, the CA key is not', () => {
  const made = sh(['--out', 'tls', '--name', 'localhost', '--group', String(SERVICE_ID)]);
  expect(made.status).toBe(0);
  for (const file of ['server.key', 'server.pem', 'ca.pem']) {
    const read = asServiceUser('cat', [path.join(dir, 'tls', file)]);
    expect({ file, status: read.status, stderr: read.stderr }).toEqual({ file, status: 0, stderr: '' });
  }
  expect(statSync(path.join(dir, 'tls', 'server.key')).mode & 0o777).toBe(0o640);
  for (const secret of ['ca.key', 'hub-client.key']) {
    expect(asServiceUser('cat', [path.join(dir, 'tls', secret)]).stderr).toMatch(/Permission denied/);
  }
});

test('a key the service user cannot read: gateway start names the setting and says what to do', () => {
  expect(sh(['--out', 'tls', '--name', 'localhost']).status).toBe(0); // no --group: root's only, as before
  chownSync(path.join(dir, 'tls', 'server.key'), 0, 0);
  chmodSync(path.join(dir, 'tls', 'server.key'), 0o640);
  const result = asServiceUser(process.execPath, [CLI, 'gateway', 'start'], {
    ENDPOINT_MONGODB_URL: 'mongodb://127.0.0.1:1/',
    ENDPOINT_TLS_CERT: path.join(dir, 'tls', 'server.pem'),
    ENDPOINT_TLS_KEY: path.join(dir, 'tls', 'server.key'),
    ENDPOINT_HUB_CA: path.join(dir, 'tls', 'ca.pem'),
    ENDPOINT_STATE_DIR: path.join(dir, 'state'),
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(
    /^endpoint gateway: ENDPOINT_TLS_KEY names .*server\.key, which user (nobody|65534) cannot read \(EACCES\); give the service group read access/,
  );
});

test('with the network CA: request on the box, sign where the CA key is, install on the box; relative paths; the CA key never on the box', () => {
  const ca = path.join(dir, 'network-ca');
  spawnSync('mkdir', ['-p', ca]);
  const caMade = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/CN=network CA',
    ],
    { cwd: ca },
  );
  expect(caMade.status).toBe(0);

  // The old form would copy the CA key onto the box: refused, pointing at the request flow.
  const refused = sh(['--out', 'box', '--ca-cert', 'network-ca/ca.pem', '--ca-key', 'network-ca/ca.key']);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(/would copy the network CA's private key onto this box.*tls\.sh request/);
  expect(existsSync(path.join(dir, 'box', 'ca.key'))).toBe(false);

  expect(sh(['request', '--out', 'box', '--name', 'box.clinic.example', '--group', String(SERVICE_ID)]).status).toBe(0);
  const signed = sh([
    'sign',
    '--ca-cert',
    'network-ca/ca.pem',
    '--ca-key',
    'network-ca/ca.key',
    '--csr',
    'box/server.csr',
    '--cert',
    'server.pem',
    '--name',
    'box.clinic.example',
  ]);
  expect(signed.stdout).toMatch(/signed .*server\.pem .*CN = box\.clinic\.example/);
  const installed = sh(['install', '--out', 'box', '--cert', 'server.pem', '--ca', 'network-ca/ca.pem']);
  expect(installed.status).toBe(0);
  expect(readdirSync(path.join(dir, 'box')).sort()).toEqual(['ca.pem', 'server.key', 'server.pem']);
  expect(
    spawnSync('openssl', ['verify', '-CAfile', 'network-ca/ca.pem', 'box/server.pem'], { cwd: dir, encoding: 'utf8' })
      .stdout,
  ).toContain('OK');
  expect(asServiceUser('cat', [path.join(dir, 'box', 'server.key')]).status).toBe(0);

  // A certificate made for another key is refused.
  expect(sh(['request', '--out', 'other', '--name', 'other']).status).toBe(0);
  const wrong = sh(['install', '--out', 'other', '--cert', 'server.pem', '--ca', 'network-ca/ca.pem']);
  expect(wrong.stderr).toMatch(/was not made for .*other\/server\.key/);
});

test('check gateway rates the days left on the certificates (WARNING within 30 days, CRITICAL within 7)', () => {
  expect(sh(['--out', 'soon', '--name', 'localhost', '--days', '20']).status).toBe(0);
  expect(sh(['--out', 'now', '--name', 'localhost', '--days', '3']).status).toBe(0);
  const check = (folder: string) =>
    spawnSync(process.execPath, [CLI, 'check', 'gateway', '-t', '1'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        ENDPOINT_GATEWAY_URL: 'http://127.0.0.1:1',
        ENDPOINT_STATE_DIR: path.join(dir, 'state'),
        ENDPOINT_TLS_CERT: path.join(dir, folder, 'server.pem'),
        ENDPOINT_TLS_KEY: path.join(dir, folder, 'server.key'),
        ENDPOINT_HUB_CA: path.join(dir, folder, 'ca.pem'),
      },
    });
  // Nothing listens (CRITICAL anyway): the certificate part of the text is what counts here.
  expect(check('soon').stdout).toMatch(
    /ENDPOINT_TLS_CERT \(CN=localhost\) expires in 19 days \(\d{4}-\d\d-\d\d\): renew it \(deploy\/tls\.sh renew\) \| .*cert_days=19;;;0/,
  );
  expect(check('now').stdout).toMatch(/ENDPOINT_TLS_CERT \(CN=localhost\) expires in 2 days/);
  // The renewal keeps the names and makes a fresh certificate.
  const renewed = sh(['renew', '--out', 'now']);
  expect(renewed.stdout).toMatch(/made server\.pem \(localhost, 397 days/);
  expect(check('now').stdout).toMatch(/certificates valid 39\d more days/);
});

test("install.sh's env file lets only the research hub in, and names a MongoDB", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'install-subjects-'));
  try {
    const result = spawnSync('bash', [path.join(ROOT, 'deploy', 'install.sh'), '--root', root, '--skip-build'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const env = readFileSync(path.join(root, 'etc', 'e2e-endpoint', 'endpoint.env'), 'utf8');
    expect(env).toMatch(/^ENDPOINT_HUB_ALLOWED_SUBJECTS=research-hub$/m);
    expect(env).toMatch(/^ENDPOINT_MONGODB_URL=mongodb:\/\/127\.0\.0\.1:27017\/$/m);
    expect(result.stdout).toMatch(/^skip: polkitd \(packages are not installed below --root\)$/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
