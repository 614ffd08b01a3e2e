import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');

function sh(command: string, args: string[], cwd = ROOT) {
  return spawnSync(command, args, { cwd, encoding: 'utf8' });
}

describe('systemd units', () => {
  const units = readdirSync(path.join(DEPLOY, 'systemd')).map((name) => path.join(DEPLOY, 'systemd', name));

  test('there are the gateway, watchdog, export and update units and timers', () => {
    expect(units.map((unit) => path.basename(unit)).sort()).toEqual([
      'e2e-export.service',
      'e2e-export.timer',
      'e2e-gateway.service',
      'e2e-update.service',
      'e2e-update.timer',
      'e2e-watchdog.service',
    ]);
  });

  test.each(readdirSync(path.join(DEPLOY, 'systemd')))('%s passes systemd-analyze verify with no warning', (name) => {
    const result = sh('systemd-analyze', ['verify', path.join(DEPLOY, 'systemd', name)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the gateway runs unprivileged and hardened, and the watchdog is itself watched', () => {
    const gateway = readFileSync(path.join(DEPLOY, 'systemd', 'e2e-gateway.service'), 'utf8');
    for (const line of ['User=e2e-endpoint', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ProtectHome=yes', 'Restart=on-failure']) {
      expect(gateway).toContain(line);
    }
    expect(gateway).toMatch(/^ReadWritePaths=\/var\/lib\/e2e-endpoint$/m);
    const watchdog = readFileSync(path.join(DEPLOY, 'systemd', 'e2e-watchdog.service'), 'utf8');
    expect(watchdog).toMatch(/^WatchdogSec=\d+/m);
    expect(watchdog).toContain('Type=notify');
  });
});

describe('firewall', () => {
  test('the nftables rules pass nft -c', () => {
    const result = sh('nft', ['-c', '-f', path.join(DEPLOY, 'nftables.conf')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('a broken rule file is refused by the same check (the check can fail)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nft-'));
    const broken = path.join(dir, 'broken.nft');
    writeFileSync(broken, readFileSync(path.join(DEPLOY, 'nftables.conf'), 'utf8').replace('policy drop;', 'policy dorp;'));
    expect(sh('nft', ['-c', '-f', broken]).status).not.toBe(0);
  });
});

describe('tls.sh', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
  beforeAll(() => {
    const result = sh('bash', [path.join(DEPLOY, 'tls.sh'), '--out', dir, '--name', 'localhost', '--hub-cn', 'hub-test']);
    expect(result.status).toBe(0);
  });

  test('makes a CA, a server certificate and a hub client certificate that verify', () => {
    for (const file of ['ca.pem', 'ca.key', 'server.pem', 'server.key', 'hub-client.pem', 'hub-client.key']) {
      expect(existsSync(path.join(dir, file))).toBe(true);
    }
    const verify = sh('openssl', ['verify', '-CAfile', 'ca.pem', 'server.pem', 'hub-client.pem'], dir);
    expect(verify.stdout).toContain('server.pem: OK');
    expect(verify.stdout).toContain('hub-client.pem: OK');
    expect(statSync(path.join(dir, 'server.key')).mode & 0o077).toBe(0o040);
  });

  test('a second run keeps the existing certificates', () => {
    const before = readFileSync(path.join(dir, 'server.pem'));
    expect(sh('bash', [path.join(DEPLOY, 'tls.sh'), '--out', dir]).status).toBe(0);
    expect(readFileSync(path.join(dir, 'server.pem'))).toEqual(before);
  });

  test('a mutual-TLS server made from them accepts the hub client certificate and refuses no certificate', async () => {
    const read = (file: string) => readFileSync(path.join(dir, file));
    const server = https.createServer(
      { cert: read('server.pem'), key: read('server.key'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true },
      (req, res) => res.end(`hello ${(req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const get = (withClientCert: boolean) =>
      new Promise<string>((resolve, reject) => {
        const request = https.get(
          {
            host: '127.0.0.1',
            port,
            servername: 'localhost',
            ca: read('ca.pem'),
            ...(withClientCert ? { cert: read('hub-client.pem'), key: read('hub-client.key') } : {}),
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve(body));
          },
        );
        request.on('error', reject);
      });
    try {
      await expect(get(true)).resolves.toBe('hello hub-test');
      await expect(get(false)).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});

describe('install.sh', () => {
  const head = sh('git', ['rev-parse', 'HEAD']).stdout.trim();

  test('--dry-run says what it would do and changes nothing', () => {
    const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'install-')), 'root');
    const result = sh('bash', [path.join(DEPLOY, 'install.sh'), '--dry-run', '--root', root, '--skip-build']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`would: check out release ${head}`);
    expect(result.stdout).toContain(`would: install ${root}/etc/systemd/system/e2e-gateway.service`);
    expect(result.stdout).not.toMatch(/^do: /m);
    expect(existsSync(root)).toBe(false);
  });

  test('installs the release layout into a throwaway root, and a second run changes nothing', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'install-'));
    const first = sh('bash', [path.join(DEPLOY, 'install.sh'), '--root', root, '--skip-build']);
    expect(first.status).toBe(0);
    const opt = path.join(root, 'opt', 'e2e-endpoint');
    expect(lstatSync(path.join(opt, 'current')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(opt, 'current'))).toBe(`releases/${head}`);
    expect(existsSync(path.join(opt, 'releases', head, 'package.json'))).toBe(true);
    expect(existsSync(path.join(opt, 'repo', 'HEAD'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(opt, 'releases', head, '.endpoint-release.json'), 'utf8')).commit).toBe(head);
    const envFile = path.join(root, 'etc', 'e2e-endpoint', 'endpoint.env');
    const env = readFileSync(envFile, 'utf8');
    expect(env).toMatch(/^ENDPOINT_INGEST_TOKEN=[0-9a-f]{64}$/m);
    expect(env).toMatch(/^ENDPOINT_ADMIN_TOKEN=[0-9a-f]{64}$/m);
    expect(env).toMatch(/^ENDPOINT_HMAC_SECRET=[0-9a-f]{64}$/m);
    expect(statSync(envFile).mode & 0o777).toBe(0o640);
    expect(existsSync(path.join(root, 'etc', 'systemd', 'system', 'e2e-update.timer'))).toBe(true);
    expect(existsSync(path.join(root, 'etc', 'polkit-1', 'rules.d', '50-e2e-endpoint.rules'))).toBe(true);

    const envHash = createHash('sha256').update(env).digest('hex');
    const second = sh('bash', [path.join(DEPLOY, 'install.sh'), '--root', root, '--skip-build']);
    expect(second.status).toBe(0);
    expect(second.stdout).not.toMatch(/^do: /m);
    expect(createHash('sha256').update(readFileSync(envFile)).digest('hex')).toBe(envHash);
  });
});
