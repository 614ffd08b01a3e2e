import { Writable } from 'node:stream';
import { createLogger } from '../../core/logger';

function capture(): { stream: Writable; lines: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, lines: () => text };
}

describe('logger', () => {
  test('patient names, health numbers, addresses, phones and note text are redacted', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'info' });
    log.info(
      {
        demographicNo: '1042',
        patient: { name: { given: ['Avery'], family: 'Quinlan' }, hin: '9876543210', address: { street: '12 Elm' } },
        phones: ['250-555-0199'],
        noteText: 'complains of chest pain',
        req: { headers: { authorization: 'Bearer s3cret' } },
      },
      'imported',
    );
    const text = out.lines();
    expect(text).toContain('"demographicNo":"1042"');
    for (const secret of ['Avery', 'Quinlan', '9876543210', '12 Elm', '250-555-0199', 'chest pain', 's3cret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});
