/**
 * Every real sample document through the gateway over HTTP: created, then unchanged on a
 * re-send; the stored facts match what the samples' MANIFEST says about each patient
 * (sex, birth date, author, problem codes, section sizes), with no name stored.
 */
import { readdirSync } from 'node:fs';
import { SAMPLES_DIR, TEST_CLINIC, postRecord, sampleXml, startTestGateway, type TestGateway } from './support';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(__filename);
});
afterAll(async () => {
  await gw.close();
});

/** Facts from /work/shared/e2e-samples/MANIFEST.txt (reviewed), per sample. */
const MANIFEST_FACTS: Record<string, { gender: string; birthDate: string; name: string; problems?: string[]; sections?: Record<string, number>; providerId?: string }> = {
  '08_JOHN_CLEESE_1_25091940.xml': { gender: 'M', birthDate: '1940-09-25', name: 'CLEESE', providerId: 'cpsid', problems: ['250', '401', '428', '491'], sections: { medications: 9, problems: 4, immunizations: 3, encounters: 6 } },
  '10_sample10_CHUCK_SMITH_4_27051936.xml': { gender: 'M', birthDate: '1936-05-27', name: 'SMITH', providerId: 'cpsid', sections: { problems: 1, immunizations: 3, encounters: 2 } },
  '11_sample10_DALE_CHAN_5_29011973.xml': { gender: 'F', birthDate: '1973-01-29', name: 'CHAN', providerId: 'cpsid', problems: ['244'], sections: { medications: 2, problems: 1, allergies: 1, labResults: 1, encounters: 2 } },
  '01_PITO_Ex001_Conversion_FullyLoaded_V1-30-00.xml': { gender: 'F', birthDate: '1947-05-16', name: 'Everywoman' },
  '06_PITO_Ex006_GenericEpisodic_Lab1_V1-30-00.xml': { gender: 'M', birthDate: '2003-04-10', name: 'EXCELLERIS' },
  '09_oscar_output_no_entries.xml': { gender: 'M', birthDate: '1940-09-25', name: 'CLEESE', sections: { medications: 0, problems: 0 } },
};

const samples = readdirSync(SAMPLES_DIR).filter((name) => name.endsWith('.xml')).sort();

test('every sample is listed with its facts', () => {
  expect(samples).toEqual(Object.keys(MANIFEST_FACTS).sort());
});

test.each(samples.map((file, index) => [file, String(7000 + index)]))('%s: created, stored as the MANIFEST says, then unchanged', async (file, demographicNo) => {
  const xml = sampleXml(file, demographicNo);
  const created = await postRecord(gw.baseUrl, xml);
  expect(created.status).toBe(201);
  expect(created.body.patientKey).toBe(`${TEST_CLINIC}:${demographicNo}`);
  const facts = MANIFEST_FACTS[file];
  const stored = await gw.db.collection('patients').findOne({ _id: `${TEST_CLINIC}:${demographicNo}` as never });
  expect(stored).toMatchObject({ gender: facts.gender, birthDate: new Date(`${facts.birthDate}T00:00:00Z`) });
  if (facts.providerId) expect(stored?.providerId).toBe(facts.providerId);
  if (facts.problems) expect([...(stored?.activeProblemCodes as string[])].sort()).toEqual(facts.problems);
  if (facts.sections) expect(stored?.sectionCounts).toMatchObject(facts.sections);
  expect(JSON.stringify(stored)).not.toContain(facts.name);
  expect((await postRecord(gw.baseUrl, xml, { contentType: 'text/xml; charset=utf-8' })).body.outcome).toBe('unchanged');
});
