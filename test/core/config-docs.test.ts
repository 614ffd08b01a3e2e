import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderEnvExample } from '../../core/config/docs';
import { readmeWithConfigTable } from '../../dev/cli';

const ROOT = path.join(__dirname, '..', '..');

describe('configuration documentation', () => {
  test("the README's configuration table is the one generated from the settings table", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithConfigTable(readme));
  });

  test('deploy/endpoint.env.example is the one generated from the settings table', () => {
    expect(readFileSync(path.join(ROOT, 'deploy', 'endpoint.env.example'), 'utf8')).toBe(renderEnvExample());
  });
});
