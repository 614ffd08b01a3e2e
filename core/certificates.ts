/**
 * The hub link's certificate files as the gateway and `check gateway` see them: each must be
 * readable by the user running the command, parse as PEM, and the key must belong to the
 * certificate. Every problem is one sentence naming the setting (ENDPOINT_TLS_CERT, …) and the
 * file, and saying what to do. Expiry is reported in days.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from './config/load';
import { SETTINGS } from './config/settings';
import { EndpointError } from './errors';
import { passwdEntry } from './state-owner';

const DAY_MS = 24 * 3600 * 1000;

/** The TLS settings, by name. */
type TlsSetting = 'tlsCert' | 'tlsKey' | 'hubCa';

/** One certificate's validity. */
export interface CertificateValidity {
  /** The setting that names the file, e.g. ENDPOINT_TLS_CERT. */
  env: string;
  file: string;
  subject: string;
  validTo: Date;
  /** Whole days until it expires (negative: expired). */
  daysLeft: number;
}

function whoAmI(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return 'this user';
  return `user ${passwdEntry(uid)?.name ?? uid}`;
}

/** Reads a file a TLS setting names; throws CONFIG_INVALID naming the setting. */
export function readTlsFile(setting: TlsSetting, file: string): Buffer {
  const env = SETTINGS[setting].env;
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new EndpointError(
        'CONFIG_INVALID',
        `${env} names ${file}, which does not exist; make it with deploy/tls.sh or fix ${env}.`,
      );
    if (code === 'EACCES') {
      throw new EndpointError(
        'CONFIG_INVALID',
        `${env} names ${file}, which ${whoAmI()} cannot read (EACCES); give the service group read access (chgrp e2e-endpoint FILE; chmod 640 FILE, and 750 on its folder) or re-run deploy/tls.sh, which does.`,
      );
    }
    throw new EndpointError(
      'CONFIG_INVALID',
      `${env} names ${file}, which cannot be read (${code ?? (error as Error).message}).`,
    );
  }
}

/** Parses the certificate a setting names; throws CONFIG_INVALID naming the setting. */
export function certificateValidity(setting: 'tlsCert' | 'hubCa', file: string, now = Date.now()): CertificateValidity {
  const pem = readTlsFile(setting, file);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new EndpointError(
      'CONFIG_INVALID',
      `${SETTINGS[setting].env} names ${file}, which is not a PEM certificate.`,
    );
  }
  const validTo = new Date(certificate.validTo);
  const cn = /CN=([^\n,]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replace(/\n/g, ', ');
  return {
    env: SETTINGS[setting].env,
    file,
    subject: cn,
    validTo,
    daysLeft: Math.floor((validTo.getTime() - now) / DAY_MS),
  };
}

/** What {@link checkTlsFiles} found when TLS is configured. */
export interface TlsFacts {
  server: CertificateValidity;
  ca: CertificateValidity;
}

/**
 * Checks the hub link's files before the gateway starts its HTTPS listener: all three set,
 * readable, parseable, and the key matching the certificate. Undefined when TLS is off.
 */
export function checkTlsFiles(
  config: Pick<Config, 'tlsCert' | 'tlsKey' | 'hubCa'>,
  now = Date.now(),
): TlsFacts | undefined {
  if (config.tlsCert === undefined) return undefined;
  for (const setting of ['tlsKey', 'hubCa'] as const) {
    if (config[setting] === undefined)
      throw new EndpointError(
        'CONFIG_INVALID',
        `${SETTINGS[setting].env} is not set; it is needed with ENDPOINT_TLS_CERT for the HTTPS listener of the research hub.`,
      );
  }
  const server = certificateValidity('tlsCert', config.tlsCert, now);
  const ca = certificateValidity('hubCa', config.hubCa as string, now);
  const keyPem = readTlsFile('tlsKey', config.tlsKey as string);
  let matches: boolean;
  try {
    matches = new X509Certificate(readFileSync(config.tlsCert)).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new EndpointError(
      'CONFIG_INVALID',
      `ENDPOINT_TLS_KEY names ${config.tlsKey}, which is not a PEM private key.`,
    );
  }
  if (!matches)
    throw new EndpointError(
      'CONFIG_INVALID',
      `ENDPOINT_TLS_KEY (${config.tlsKey}) is not the key of ENDPOINT_TLS_CERT (${config.tlsCert}); install the certificate made for this key (deploy/tls.sh install).`,
    );
  return { server, ca };
}

/** One line on a certificate's expiry, e.g. `ENDPOINT_TLS_CERT (CN=box) expires in 12 days (2026-01-02)`. */
export function describeExpiry(validity: CertificateValidity): string {
  const date = validity.validTo.toISOString().slice(0, 10);
  if (validity.daysLeft < 0) return `${validity.env} (CN=${validity.subject}) expired on ${date}`;
  return `${validity.env} (CN=${validity.subject}) expires in ${validity.daysLeft} day${validity.daysLeft === 1 ? '' : 's'} (${date})`;
}
