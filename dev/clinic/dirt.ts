/**
 * The dirt real OSCAR databases have, planted deterministically a few percent at a time, and
 * the manifest that says how much of each kind went where (so exporter tests can check that
 * each kind becomes a warning, not a crash).
 */
import type { Random } from './prng';

/** The kinds of dirt (and privacy-relevant rows) the generator plants. */
export const DIRT_KINDS = [
  'inactivePatient',
  'zeroDate',
  'nullOptionalColumn',
  'accentedText',
  'xmlSpecialCharacters',
  'controlCharacters',
  'doubleEncodedText',
  'malformedBloodPressure',
  'nullDxStatus',
  'unparseableDose',
  'drugWithoutDin',
  'archivedNote',
  'lockedNote',
  'labResultText',
  'labResultEmpty',
  'unknownLabUnit',
  'labReportMissing',
  'cppIssueMissing',
  'providerWithoutCpsid',
  'longTermEnded',
  'zeroEndDate',
  'nullLongTerm',
] as const;

/** One kind of dirt. */
export type DirtKind = (typeof DIRT_KINDS)[number];

/** How much of one dirt kind was planted: rows, distinct patients, and (up to a cap) their demographic numbers. */
export interface DirtCount {
  rows: number;
  patients: number;
  /** Ascending; at most {@link DIRT_PATIENT_LIST_CAP} numbers (the first ones). */
  demographicNos: number[];
}

/** Counts per dirt kind. */
export type DirtManifest = Record<DirtKind, DirtCount>;

/** How many demographic numbers a manifest entry lists at most. */
export const DIRT_PATIENT_LIST_CAP = 1000;

/** The chance per patient of each kind of planted dirt (a few percent each). */
export const DIRT_RATES = {
  inactivePatient: 0.08,
  zeroDate: 0.03,
  nullOptionalColumn: 0.05,
  accentedText: 0.03,
  xmlSpecialCharacters: 0.03,
  controlCharacters: 0.02,
  doubleEncodedText: 0.02,
  malformedBloodPressure: 0.02,
  nullDxStatus: 0.03,
  unparseableDose: 0.03,
  drugWithoutDin: 0.04,
  archivedNote: 0.05,
  lockedNote: 0.02,
  labResultText: 0.03,
  labResultEmpty: 0.01,
  unknownLabUnit: 0.02,
  labReportMissing: 0.03,
  cppIssueMissing: 0.02,
  providerWithoutCpsid: 0.04,
  longTermEnded: 0.05,
  zeroEndDate: 0.03,
  nullLongTerm: 0.03,
} as const satisfies Record<DirtKind, number>;

/** Zero dates OSCAR writes for "unknown". */
export const ZERO_DATES: readonly string[] = ['0000-00-00', '0001-01-01'];

/** Blood pressures that are not two numbers. */
export const MALFORMED_BLOOD_PRESSURES: readonly string[] = ['120/', 'abc', '120/80/70', '/80', '130 / 85 sitting', ''];

/** Lab results that are not a number (kept as text by the exporter). */
export const LAB_TEXT_RESULTS: readonly string[] = ['pending', '<0.5', 'Positive', 'Negative', '>90'];

/** Units OSCAR never heard of: one UCUM-like token, one that is not. */
export const UNKNOWN_LAB_UNITS: readonly string[] = ['xyz/zz', 'xyz/zz', 'per HPF ?'];

/** Doses the E2E dose parser cannot read. */
export const UNPARSEABLE_DOSES: readonly string[] = ['1-2 as dir.', 'half tab ?', '2.5.1', 'see note', '½ tab'];

/** Text with XML-special sequences. */
export const XML_SPECIAL_TEXTS: readonly string[] = [
  'BP < 140 & HR > 60 -- ok',
  'Plan: <b>stop</b> NSAIDs & recheck',
  'CDATA end ]]> inside text',
  'Allergy to "sulfa" & <unknown> -- verify',
];

/** Text carrying characters illegal in XML 1.0. */
export const CONTROL_CHARACTER_TEXTS: readonly string[] = [
  'Pasted from lab\x01report',
  'Vertical\x0Btab in note',
  'Form feed\x0Chere',
  'NUL-like\x02\x03 bytes',
];

/** Text with accents and cedillas (legitimate, must survive). */
export const ACCENTED_TEXTS: readonly string[] = [
  'Réaction cutanée légère',
  'Suivi: glycémie à jeun élevée',
  'Garçon de 5 ans, façade ok',
  'Noël: pas de fièvre',
];

/** Latin1 bytes read as UTF-8 and stored again (double-encoded, "mojibake"). */
export const DOUBLE_ENCODED_TEXTS: readonly string[] = [
  'RÃ©action cutanÃ©e',
  'FranÃ§ois a appelÃ©',
  'GlycÃ©mie Ã©levÃ©e',
  'cafÃ© & crÃ¨me',
];

/** Collects what was planted while the clinic is generated. */
export class DirtRecorder {
  private readonly counts = new Map<DirtKind, DirtCount & { lastPatient: number }>();

  constructor() {
    for (const kind of DIRT_KINDS) this.counts.set(kind, { rows: 0, patients: 0, demographicNos: [], lastPatient: -1 });
  }

  /** Records `rows` rows of a dirt kind planted for a patient (patients arrive in ascending order). */
  plant(kind: DirtKind, demographicNo: number, rows = 1): void {
    const entry = this.counts.get(kind);
    if (entry === undefined || rows <= 0) return;
    entry.rows += rows;
    if (entry.lastPatient !== demographicNo) {
      entry.lastPatient = demographicNo;
      entry.patients += 1;
      if (entry.demographicNos.length < DIRT_PATIENT_LIST_CAP) entry.demographicNos.push(demographicNo);
    }
  }

  /** The manifest so far. */
  manifest(): DirtManifest {
    const manifest = {} as DirtManifest;
    for (const kind of DIRT_KINDS) {
      const entry = this.counts.get(kind);
      manifest[kind] = {
        rows: entry?.rows ?? 0,
        patients: entry?.patients ?? 0,
        demographicNos: [...(entry?.demographicNos ?? [])],
      };
    }
    return manifest;
  }
}

/** Decides per patient which dirt kinds to plant (independent draws from the patient's own random source). */
export function drawDirt(random: Random): Set<DirtKind> {
  const kinds = new Set<DirtKind>();
  for (const kind of DIRT_KINDS) if (random.chance(DIRT_RATES[kind])) kinds.add(kind);
  return kinds;
}
