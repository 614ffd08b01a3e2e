import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parseEnvFile, requireSetting } from '../../core/config/load';
import { isEndpointError } from '../../core/errors';

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isEndpointError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('config loader', () => {
  test('defaults apply with an empty environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.gatewayPort).toBe(3080);
    expect(config.clinicId).toBe('demo-clinic');
    expect(config.keepNoteText).toBe(false);
    expect(config.ingestToken).toBeUndefined();
    expect(path.isAbsolute(config.xsdDir)).toBe(true);
    expect(config.xsdDir.endsWith(path.join('shared', 'e2e-schema'))).toBe(true);
  });

  test('environment values are parsed by kind', () => {
    const config = loadConfig({
      env: { ENDPOINT_GATEWAY_PORT: '4000', ENDPOINT_KEEP_NOTE_TEXT: 'yes', ENDPOINT_CONSENT_PROVIDERS: '101, 102,,103' },
    });
    expect(config.gatewayPort).toBe(4000);
    expect(config.keepNoteText).toBe(true);
    expect(config.consentProviders).toEqual(['101', '102', '103']);
  });

  test.each([
    [{ ENDPOINT_GATEWAY_PORT: 'eighty' }, 'ENDPOINT_GATEWAY_PORT is "eighty", but it must be a whole number.'],
    [{ ENDPOINT_GATEWAY_PORT: '70000' }, 'ENDPOINT_GATEWAY_PORT is "70000", but it must be at most 65535.'],
    [{ ENDPOINT_KEEP_NOTE_TEXT: 'maybe' }, 'ENDPOINT_KEEP_NOTE_TEXT is "maybe", but it must be true or false.'],
    [{ ENDPOINT_HUB_RELEASE_MODE: 'later' }, 'ENDPOINT_HUB_RELEASE_MODE is "later", but it must be one of auto, hold.'],
    [{ ENDPOINT_OSCAR_URL: 'not a url' }, 'ENDPOINT_OSCAR_URL is "not a url", but it must be a URL such as scheme://host:port/path.'],
    [{ ENDPOINT_INGEST_TOKEN: ' ' }, 'ENDPOINT_INGEST_TOKEN is (hidden), but it must be a non-empty text.'],
  ])('a bad value names the variable: %j', (env, message) => {
    expect(configError(() => loadConfig({ env }))).toBe(message);
  });

  test('an env file is read, and the environment wins over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'endpoint.env');
    writeFileSync(file, '# comment\nENDPOINT_GATEWAY_PORT=4100\nENDPOINT_CLINIC_ID="clinic a" # trailing\nexport ENDPOINT_MIN_CELL_SIZE=11\n');
    const config = loadConfig({ env: { ENDPOINT_ENV_FILE: file, ENDPOINT_MIN_CELL_SIZE: '7' } });
    expect(config.gatewayPort).toBe(4100);
    expect(config.clinicId).toBe('clinic a');
    expect(config.minCellSize).toBe(7);
  });

  test('a missing env file is a clear error', () => {
    expect(configError(() => loadConfig({ env: { ENDPOINT_ENV_FILE: '/nonexistent/endpoint.env' } }))).toBe(
      'ENDPOINT_ENV_FILE names /nonexistent/endpoint.env, which does not exist.',
    );
  });

  test('MONGODB_URI is honoured when ENDPOINT_MONGODB_URL is unset', () => {
    expect(loadConfig({ env: { MONGODB_URI: 'mongodb://127.0.0.1:1/' } }).mongodbUrl).toBe('mongodb://127.0.0.1:1/');
  });

  test('requireSetting names the variable a part needs', () => {
    const config = loadConfig({ env: {} });
    expect(configError(() => requireSetting(config, 'ingestToken', 'to accept documents'))).toBe(
      'ENDPOINT_INGEST_TOKEN is not set; it is needed to accept documents.',
    );
  });

  test('parseEnvFile keeps values with = and strips quotes', () => {
    expect(parseEnvFile("A=x=y\nB='q'\n  # c\nbad line\n")).toEqual({ A: 'x=y', B: 'q' });
  });
});
