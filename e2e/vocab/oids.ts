/**
 * OIDs of identifiers and fixed document parts. The one place where these OIDs are written;
 * reader and writer import them from here.
 */

/** The XML namespace of HL7 v3 (CDA) elements; a ClinicalDocument in another namespace is not an E2E document. */
export const HL7_V3_NAMESPACE = 'urn:hl7-org:v3';

/** Identifier roots (the `root` of an `id`). */
export const ID_OIDS = {
  /** BC Personal Health Number (patient id). */
  bcPhn: '2.16.840.1.113883.4.50',
  /** OSCAR EMR: entry ids, custodian id. */
  oscar: '2.16.840.1.113883.3.3331',
  /**
   * CPSID of physicians, as OSCAR's exports and the published E2E samples write it (BC's provider
   * registry lists this OID as the Ministry practitioner id; the E2E networks key physicians on it).
   */
  cpsid: '2.16.840.1.113883.3.40.2.11',
  /** MSP billing number of a provider without a CPSID (a made-up but stable root of this project). */
  mspBilling: '2.16.840.1.113883.3.3331.3.1',
  /** OSCAR's medication entry id root (seen in OSCAR exports). */
  oscarMedication: '2.16.840.1.113883.3.1818.10.10.3',
  /** Accession number of a lab report, on each result observation (the root OSCAR's exports use for it). */
  labAccession: '2.16.840.1.113883.3.1818.10.2.10.33',
} as const;

/** Health-number OIDs of the other provinces, by province code (for reading only). */
export const HEALTH_NUMBER_OIDS: Readonly<Record<string, string>> = {
  BC: ID_OIDS.bcPhn,
  AB: '2.16.840.1.113883.4.59',
  ON: '2.16.840.1.113883.4.59.1',
  SK: '2.16.840.1.113883.4.56',
  MB: '2.16.840.1.113883.4.57',
  QC: '2.16.840.1.113883.4.58',
};

/** Template and type ids of the document header (BC PITO E2E-DTC). */
export const DOCUMENT_OIDS = {
  /** CDA R2 typeId root (extension POCD_HD000040). */
  cdaTypeId: '2.16.840.1.113883.1.3',
  /** BC PITO standard header template. */
  pitoHeader: '2.16.840.1.113883.3.1818.10.7.1',
  /** BC PITO EMR conversion document template. */
  pitoConversion: '2.16.840.1.113883.3.1818.10.1.1',
  /** A made-up but stable root for document ids written by this project (UUID-like). */
  documentIdRoot: '2.16.840.1.113883.3.3331.1',
} as const;

/** The common prefix of every PITO E2E-DTC template. */
export const PITO_TEMPLATE_PREFIX = '2.16.840.1.113883.3.1818.10.';

/** Entry-level PITO templates the writer uses (the reader does not need them). */
export const ENTRY_TEMPLATES = {
  alert: '2.16.840.1.113883.3.1818.10.3.2',
  allergy: '2.16.840.1.113883.3.1818.10.3.3',
  clinicalObservation: '2.16.840.1.113883.3.1818.10.3.7',
  encounter: '2.16.840.1.113883.3.1818.10.3.9',
  familyHistory: '2.16.840.1.113883.3.1818.10.3.10',
  immunization: '2.16.840.1.113883.3.1818.10.3.11',
  lab: '2.16.840.1.113883.3.1818.10.3.12',
  problem: '2.16.840.1.113883.3.1818.10.3.15',
  riskFactor: '2.16.840.1.113883.3.1818.10.3.17',
  medication: '2.16.840.1.113883.3.1818.10.3.18',
  author: '2.16.840.1.113883.3.1818.10.4.2',
  dateObservation: '2.16.840.1.113883.3.1818.10.4.4',
  dosageInstruction: '2.16.840.1.113883.3.1818.10.4.8',
  locationParticipation: '2.16.840.1.113883.3.1818.10.4.13',
  drugProduct: '2.16.840.1.113883.3.1818.10.4.16',
  prescription: '2.16.840.1.113883.3.1818.10.4.20',
  encounterParticipant: '2.16.840.1.113883.3.1818.10.4.21',
  reasonObservation: '2.16.840.1.113883.3.1818.10.4.24',
  labResult: '2.16.840.1.113883.3.1818.10.4.25',
  labBattery: '2.16.840.1.113883.3.1818.10.4.26',
  billingCode: '2.16.840.1.113883.3.1818.10.4.28',
  severity: '2.16.840.1.113883.3.1818.10.4.30',
  unboundObservation: '2.16.840.1.113883.3.1818.10.4.32',
  instruction: '2.16.840.1.113883.3.1818.10.4.35',
  prnIndicator: '2.16.840.1.113883.3.1818.10.4.37',
} as const;
