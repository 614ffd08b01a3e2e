/**
 * A store written by an older derivation is re-derived from its stored documents when a newer
 * gateway starts: patients that have not changed since still get the new query fields, and the
 * version is recorded so it happens once.
 */
import { DERIVATION_MARKER, DERIVATION_VERSION } from '../../gateway/store/derivation-version';
import { openTestMongo } from '../support/services';
import { waitFor } from '../support/wait';
import { CLEESE, TEST_CLINIC, postRecord, sampleXml, startTestGateway } from './support';

let mongo: Awaited<ReturnType<typeof openTestMongo>>;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
});

afterAll(async () => {
  await mongo?.drop();
});

const KEY = `${TEST_CLINIC}:301`;
const stored = () => mongo.db.collection('patients').findOne({ _id: KEY as never });
const marker = () => mongo.db.collection('meta').findOne({ _id: DERIVATION_MARKER as never });

test('a newer gateway re-derives what an older one stored, once', async () => {
  const first = await startTestGateway(__filename, { mongo: { uri: mongo.uri, database: mongo.name, db: mongo.db } });
  expect((await postRecord(first.baseUrl, sampleXml(CLEESE, '301'))).status).toBe(201);
  await waitFor('the derivation version marker', async () => (await marker())?.version === DERIVATION_VERSION, 20_000);
  await first.close();

  // What an older gateway left: no marker, none of the newer fields, a problem list of any code system.
  await mongo.db.collection('meta').deleteOne({ _id: DERIVATION_MARKER as never });
  await mongo.db.collection('patients').updateOne(
    { _id: KEY as never },
    {
      $unset: { screenings: '', familyHistory: '', activeProblemOtherCodes: '', derivationVersion: '' },
      $set: { activeProblemCodes: ['older'] },
    },
  );

  const second = await startTestGateway(__filename, { mongo: { uri: mongo.uri, database: mongo.name, db: mongo.db } });
  try {
    await waitFor(
      'the derivation version marker',
      async () => (await marker())?.version === DERIVATION_VERSION,
      20_000,
    );
    const patient = await stored();
    expect(patient?.activeProblemCodes).toEqual(expect.arrayContaining(['401']));
    expect(patient?.activeProblemCodes).not.toContain('older');
    expect(patient).toMatchObject({ screenings: [], familyHistory: expect.any(Array), activeProblemOtherCodes: [] });
    const updatedAt = (patient?.updatedAt as Date).getTime();
    await second.close();

    // Marked current: the next start leaves the patients alone.
    const third = await startTestGateway(__filename, { mongo: { uri: mongo.uri, database: mongo.name, db: mongo.db } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(((await stored())?.updatedAt as Date).getTime()).toBe(updatedAt);
    await third.close();
  } finally {
    await second.close().catch(() => undefined);
  }
}, 90_000);
