/**
 * What an E2E consumer reads from our documents: the XPath expressions of the SCOOP query-gateway
 * importer (scoophealth/health-data-standards lib/health-data-standards/import/e2e/*.rb), run by
 * xmllint's XPath engine on written documents. Also: every statusCode written is an HL7 ActStatus
 * code, for random records.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { writeE2E, type PatientRecord } from '../../e2e';
import { ACT_STATUS_CODES } from '../../e2e/vocab/value-maps';
import { REALISTIC_RECORDS } from '../fixtures/e2e/realistic-records';
import { patientRecord } from './arbitraries';

const NAMESPACES: Record<string, string> = { cda: 'urn:hl7-org:v3', e2e: 'http://standards.pito.bc.ca/E2E-DTC/cda' };

/** The importer's prefixed XPath → the same path by local name and namespace (xmllint --xpath has no prefixes). */
function unprefixed(expression: string): string {
  return expression.replace(
    /\b(cda|e2e):([A-Za-z]+)/g,
    (_, prefix: string, name: string) => `*[local-name()='${name}' and namespace-uri()='${NAMESPACES[prefix]}']`,
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-consumers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function documentFile(record: PatientRecord, name: string): string {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, writeE2E(record));
  return file;
}

/** The string value of an XPath expression over the file ('' for an empty node set). */
function xpath(file: string, expression: string): string {
  try {
    return execFileSync('xmllint', ['--nonet', '--xpath', `string(${unprefixed(expression)})`, file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).replace(/\n$/, '');
  } catch {
    return '';
  }
}

function count(file: string, expression: string): number {
  return Number(
    execFileSync('xmllint', ['--nonet', '--xpath', `count(${unprefixed(expression)})`, file], { encoding: 'utf8' }),
  );
}

// The importers' expressions, as they are written there.
const MEDICATION_ENTRY =
  "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.19.1' and cda:code/@code='10160-0']/cda:entry/cda:substanceAdministration";
const TIMING = './cda:entryRelationship/cda:substanceAdministration/cda:entryRelationship/cda:substanceAdministration';
const PROBLEM_ENTRY =
  "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.21.1' and cda:code/@code='11450-4']/cda:entry/cda:observation";
const PROBLEM_CODE =
  "./cda:entryRelationship/cda:observation[cda:code/@code='BILLINGCODE' or cda:code/@code='ICD9CODE']/cda:value";
const ALLERGY_ENTRY = "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.4.1']/cda:entry/cda:act";
const RESULT_ENTRY =
  "/cda:ClinicalDocument/cda:component/cda:structuredBody/cda:component/cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.16.1' and cda:code/@code='30954-2']/cda:entry/cda:observation/cda:entryRelationship/cda:organizer/cda:component/cda:observation";
const IMMUNIZATION_ENTRY =
  "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.14.1']/cda:entry/cda:substanceAdministration";

/** `(base)[n]` followed by a relative path of the importer (`./…`). */
const at = (base: string, n: number, relative: string) => `(${base})[${n}]${relative.slice(1)}`;

describe('what the SCOOP importer reads from our documents', () => {
  const record = REALISTIC_RECORDS.DIABETIC_PATIENT;
  let file: string;
  beforeAll(() => {
    file = documentFile(record, 'diabetic');
  });

  test('medications: section found by templateId 19.1 and code 10160-0, one entry per drug', () => {
    expect(count(file, MEDICATION_ENTRY)).toBe(record.medications.length);
  });

  test('medications: dates from the FIRST nested prescription, status and long term from the top level', () => {
    expect(
      xpath(
        file,
        at(MEDICATION_ENTRY, 1, './cda:entryRelationship/cda:substanceAdministration/cda:effectiveTime/cda:low/@value'),
      ),
    ).toBe('20240115');
    expect(
      xpath(
        file,
        at(
          MEDICATION_ENTRY,
          1,
          './cda:entryRelationship/cda:substanceAdministration/cda:effectiveTime/cda:high/@value',
        ),
      ),
    ).toBe('20240415');
    expect(
      xpath(
        file,
        at(MEDICATION_ENTRY, 1, './cda:entryRelationship/cda:substanceAdministration/cda:author/cda:time/@value'),
      ),
    ).toBe('20240115');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, './cda:statusCode/@code'))).toBe('active');
    expect(
      xpath(
        file,
        at(
          MEDICATION_ENTRY,
          1,
          "./cda:entryRelationship[cda:templateId/@root='2.16.840.1.113883.3.1818.10.4.32']/cda:observation[cda:code/@code='UNBOUND']/cda:text/text()",
        ),
      ),
    ).toBe('Long Term');
    // The medication written without prescriptions has one made from its own fields.
    expect(
      xpath(
        file,
        at(MEDICATION_ENTRY, 2, './cda:entryRelationship/cda:substanceAdministration/cda:effectiveTime/cda:low/@value'),
      ),
    ).toBe('202311');
  });

  test('medications: dose low/high, frequency, route and form from the dose instruction; PRN and instructions', () => {
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:doseQuantity/cda:low/@value`))).toBe('1');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:doseQuantity/cda:high/@value`))).toBe('1');
    expect(count(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:doseQuantity/cda:low/@unit`))).toBe(0);
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:effectiveTime/cda:frequency/cda:numerator/@value`))).toBe(
      '2',
    );
    expect(
      xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:effectiveTime/cda:frequency/cda:denominator/@unit`)),
    ).toBe('d');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:effectiveTime/cda:width/@value`))).toBe('90');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:routeCode/@code`))).toBe('PO');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${TIMING}/cda:administrationUnitCode/@code`))).toBe('TAB');
    // The older prescription's "1-2" tablets at bedtime.
    expect(
      xpath(
        file,
        `(${unprefixed(MEDICATION_ENTRY)})[1]/*[local-name()='entryRelationship'][3]/*/*[local-name()='entryRelationship'][1]/*/*[local-name()='doseQuantity']/*[local-name()='high']/@value`,
      ),
    ).toBe('2');
    expect(
      xpath(
        file,
        at(
          MEDICATION_ENTRY,
          1,
          "./cda:entryRelationship/cda:substanceAdministration/cda:entryRelationship/cda:observation[cda:code/@code='PRNIND']/cda:value/@value",
        ),
      ),
    ).toBe('false');
    expect(
      xpath(
        file,
        at(
          MEDICATION_ENTRY,
          1,
          "./cda:entryRelationship/cda:substanceAdministration/cda:entryRelationship/cda:observation[cda:code[@code='INSTRUCT'] and cda:participant/cda:participantRole/@classCode='PAT' ]/cda:text/text()",
        ),
      ),
    ).toBe(record.medications[0].instructions);
  });

  test('medications: description from e2e:desc, strength from e2e:ingredient/e2e:quantity, DIN and ATC codes', () => {
    const drug = './cda:consumable/cda:manufacturedProduct/cda:manufacturedLabeledDrug';
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${drug}/e2e:desc/text()`))).toBe('GLUCOPHAGE 500MG');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${drug}/e2e:ingredient/e2e:quantity/@value`))).toBe('500');
    expect(xpath(file, at(MEDICATION_ENTRY, 1, `${drug}/e2e:ingredient/e2e:quantity/@unit`))).toBe('MG');
    expect(count(file, at(MEDICATION_ENTRY, 1, `${drug}/cda:code`))).toBe(2);
  });

  test('problems: the ICD9 code under ICD9CODE, status as ActStatus', () => {
    expect(count(file, PROBLEM_ENTRY)).toBe(record.problems.length);
    expect(xpath(file, at(PROBLEM_ENTRY, 1, `${PROBLEM_CODE}/@code`))).toBe('250');
    expect(xpath(file, at(PROBLEM_ENTRY, 1, `${PROBLEM_CODE}/@codeSystem`))).toBe('2.16.840.1.113883.6.42');
    expect(xpath(file, at(PROBLEM_ENTRY, 2, './cda:statusCode/@code'))).toBe('completed');
    // An ICD10 problem keeps its code as the value and has no ICD9CODE.
    expect(count(file, at(PROBLEM_ENTRY, 3, PROBLEM_CODE))).toBe(0);
    expect(xpath(file, at(PROBLEM_ENTRY, 3, './cda:value/@code'))).toBe('E11.9');
    expect(xpath(file, at(PROBLEM_ENTRY, 3, './cda:statusCode/@code'))).toBe('suspended');
  });

  test("allergies: the date from the act's effectiveTime, archived as completed", () => {
    expect(count(file, ALLERGY_ENTRY)).toBe(record.allergies.length);
    expect(xpath(file, at(ALLERGY_ENTRY, 1, './cda:effectiveTime/cda:low/@value'))).toBe('1988');
    expect(xpath(file, at(ALLERGY_ENTRY, 2, './cda:statusCode/@code'))).toBe('completed');
  });

  test('labs: one result per lab result and screening, each coded with code and codeSystemName; one entry per report', () => {
    expect(count(file, RESULT_ENTRY)).toBe(record.labResults.length + record.screenings.length);
    expect(count(file, `${RESULT_ENTRY}[not(cda:code/@code) or not(cda:code/@codeSystemName)]`)).toBe(0);
    expect(xpath(file, `(${RESULT_ENTRY})[1]/cda:statusCode/@code`)).toBe('completed');
    expect(xpath(file, `(${RESULT_ENTRY})[3]/cda:statusCode/@code`)).toBe('active');
    // Report 5501's two results are one entry: the lab section has 3 + 3 entries for 4 results and 3 screenings.
    expect(count(file, "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.16.1']/cda:entry")).toBe(6);
    expect(
      count(
        file,
        "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.16.1']/cda:entry[cda:observation/cda:id/@extension='5501']/cda:observation/cda:entryRelationship/cda:organizer/cda:component",
      ),
    ).toBe(2);
    // A refused mammogram: negationInd on the result.
    expect(xpath(file, `(${RESULT_ENTRY})[cda:code/@code='24606-6']/@negationInd`)).toBe('true');
  });

  test('immunizations: not given is negationInd with an ActReason code (PATOBJ refused, MEDPREC ineligible)', () => {
    const reason = "./cda:entryRelationship[@typeCode='RSON']/cda:observation[cda:code/@code='REASON']/cda:value";
    expect(xpath(file, at(IMMUNIZATION_ENTRY, 2, './@negationInd'))).toBe('true');
    expect(xpath(file, at(IMMUNIZATION_ENTRY, 2, `${reason}/@code`))).toBe('PATOBJ');
    expect(xpath(file, at(IMMUNIZATION_ENTRY, 2, `${reason}/@codeSystem`))).toBe('2.16.840.1.113883.5.8');
    expect(xpath(file, at(IMMUNIZATION_ENTRY, 3, `${reason}/@code`))).toBe('MEDPREC');
    expect(count(file, at(IMMUNIZATION_ENTRY, 1, reason))).toBe(0);
  });

  test('CPP sections: alerts 2.3.1 (OTHERALRT), family history 2.13.1, risk factors 2.24.1', () => {
    expect(
      count(
        file,
        "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.3.1' and cda:code/@code='ALERTS']/cda:entry/cda:observation[cda:code/@code='OTHERALRT']",
      ),
    ).toBe(2);
    const family =
      "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.13.1' and cda:code/@code='10157-6']/cda:entry/cda:observation";
    expect(xpath(file, `(${family})[1]/cda:subject/cda:relatedSubject/cda:code/@code`)).toBe('MTH');
    expect(
      xpath(file, `(${family})[1]/cda:entryRelationship/cda:observation[cda:code/@code='30972-4']/cda:value/@value`),
    ).toBe('54');
    expect(
      xpath(file, `(${family})[1]/cda:entryRelationship/cda:observation[cda:code/@code='ICD9CODE']/cda:value/@code`),
    ).toBe('250');
    expect(
      count(
        file,
        "//cda:section[cda:templateId/@root='2.16.840.1.113883.3.1818.10.2.24.1' and cda:code/@code='46467-7']/cda:entry/cda:organizer/cda:component/cda:observation",
      ),
    ).toBe(2);
  });
});

describe('every document, whatever the record', () => {
  test('every statusCode written is an HL7 ActStatus code, and every medication entry has a nested prescription with an effectiveTime', () => {
    const allowed = new Set(ACT_STATUS_CODES);
    const files: string[] = [];
    fc.assert(
      fc.property(patientRecord, (record) => {
        const xml = writeE2E(record, { includeNoteText: true });
        for (const match of xml.matchAll(/<statusCode code="([^"]*)"/g)) expect(allowed).toContain(match[1]);
        if (files.length < 25 && record.medications.length > 0)
          files.push(documentFile(record, `random-${files.length}`));
      }),
      { numRuns: 300 },
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(count(file, MEDICATION_ENTRY)).toBe(
        count(file, `${MEDICATION_ENTRY}[cda:entryRelationship/cda:substanceAdministration/cda:effectiveTime]`),
      );
    }
  });
});
