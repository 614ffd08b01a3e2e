/**
 * Test certificates made with the `openssl` CLI in a temp folder: a hub CA, the gateway's
 * server certificate (127.0.0.1/localhost), a hub client certificate, one on another subject,
 * one signed by a foreign CA, and an expired one; on request, a CA that has expired.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM files of one client identity. */
export interface ClientPem {
  cert: Buffer;
  key: Buffer;
}

/** Every certificate a hub test needs. */
export interface HubTestCerts {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  ca: Buffer;
  hub: ClientPem;
  otherSubject: ClientPem;
  foreign: ClientPem;
  expired: ClientPem;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

function issue(
  dir: string,
  name: string,
  ca: string,
  options: { cn: string; server?: boolean; expired?: boolean },
): void {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${options.cn}`,
  ]);
  const extFile = path.join(dir, `${name}.ext`);
  writeFileSync(
    extFile,
    options.server
      ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
      : 'extendedKeyUsage=clientAuth\n',
  );
  if (options.expired) {
    // `openssl x509 -req` (3.0) cannot back-date; `openssl ca` can, with a minimal config.
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '1000\n');
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=test_ca\n[test_ca]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n',
    );
    openssl(dir, [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      `${ca}.crt`,
      '-keyfile',
      `${ca}.key`,
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-extfile',
      extFile,
      '-notext',
    ]);
    return;
  }
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-extfile',
    extFile,
    '-days',
    '2',
  ]);
}

/** Generates the certificates into a new temp folder. */
export function makeHubTestCerts(): HubTestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-certs-'));
  makeCa(dir, 'hub-ca');
  makeCa(dir, 'foreign-ca');
  issue(dir, 'server', 'hub-ca', { cn: 'clinic-gateway', server: true });
  issue(dir, 'hub', 'hub-ca', { cn: 'research-hub' });
  issue(dir, 'other', 'hub-ca', { cn: 'other-hub' });
  issue(dir, 'foreign', 'foreign-ca', { cn: 'research-hub' });
  issue(dir, 'expired', 'hub-ca', { cn: 'research-hub', expired: true });
  const pem = (name: string): ClientPem => ({
    cert: readFileSync(path.join(dir, `${name}.crt`)),
    key: readFileSync(path.join(dir, `${name}.key`)),
  });
  return {
    dir,
    caFile: path.join(dir, 'hub-ca.crt'),
    serverCertFile: path.join(dir, 'server.crt'),
    serverKeyFile: path.join(dir, 'server.key'),
    ca: readFileSync(path.join(dir, 'hub-ca.crt')),
    hub: pem('hub'),
    otherSubject: pem('other'),
    foreign: pem('foreign'),
    expired: pem('expired'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A CA certificate in `dir` (`old-ca.crt`, CN expired-hub-ca) that expired on 2020-02-01; returns its file. */
export function makeExpiredCa(dir: string): string {
  writeFileSync(path.join(dir, 'old-index.txt'), '');
  writeFileSync(path.join(dir, 'old-serial'), '2000\n');
  writeFileSync(
    path.join(dir, 'old-ca.cnf'),
    '[ca]\ndefault_ca=old\n[old]\ndatabase=old-index.txt\nnew_certs_dir=.\nserial=old-serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n[v3_ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n',
  );
  openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'old-ca.key',
    '-out',
    'old-ca.csr',
    '-subj',
    '/CN=expired-hub-ca',
  ]);
  // `openssl ca -selfsign` can back-date a CA; `req -x509` cannot.
  openssl(dir, [
    'ca',
    '-batch',
    '-config',
    'old-ca.cnf',
    '-selfsign',
    '-keyfile',
    'old-ca.key',
    '-in',
    'old-ca.csr',
    '-out',
    'old-ca.crt',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
    '-extensions',
    'v3_ca',
    '-notext',
  ]);
  return path.join(dir, 'old-ca.crt');
}
