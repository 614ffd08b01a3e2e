/** The maintenance window matcher: cron start + duration, "is now inside". */
import { MaintenanceWindow } from '../../updater/maintenance-window';

const at = (text: string) => new Date(text);

test.each([
  ['0 2 * * *', 120, '2026-03-04T02:00:00', true],
  ['0 2 * * *', 120, '2026-03-04T03:59:30', true],
  ['0 2 * * *', 120, '2026-03-04T04:00:00', false],
  ['0 2 * * *', 120, '2026-03-04T01:59:00', false],
  ['30 23 * * 6', 60, '2026-03-08T00:15:00', true], // opened Saturday 23:30, still open Sunday 00:15
  ['30 23 * * 6', 60, '2026-03-07T00:15:00', false],
  ['*/15 1-3 * * 1-5', 5, '2026-03-04T03:47:00', true],
  ['*/15 1-3 * * 1-5', 5, '2026-03-04T03:50:00', false],
])('%s for %i min contains %s: %s', (expression, minutes, now, inside) => {
  expect(new MaintenanceWindow(expression, minutes).contains(at(now))).toBe(inside);
});

test('a malformed expression names the variable', () => {
  expect(() => new MaintenanceWindow('0 25 * * *', 60)).toThrow(/ENDPOINT_UPDATE_WINDOW is "0 25 \* \* \*", but its hour field "25"/);
  expect(() => new MaintenanceWindow('0 2 * *', 60)).toThrow(/five-field cron expression/);
});
