/**
 * A synthetic patient's preventions (OSCAR `preventions` + `preventionsExt`): yearly flu shots,
 * BC's childhood schedule, adult vaccines (Td, Pneumovax, RZV, COVID-19, H1N1 2009, travel), and
 * screenings (PAP, MAM, FOBT, COLONOSCOPY, PSA …) only in their sex and age band, at their
 * interval. Some rows are refused ('1'), ineligible ('2', a few percent) or deleted.
 */
import { ONE_DAY_MS } from './clinic-rows';
import { ZERO_DATES } from './dirt';
import { dirtyText, type GeneratorSetup, type Patient } from './patient';
import {
  ADULT_VACCINES,
  CHILDHOOD_SCHEDULE,
  PREVENTION_RATES,
  REFUSAL_REASONS,
  SCREENING_RESULTS,
  SCREENINGS,
  VACCINE_INELIGIBLE_REASONS,
  VACCINE_PRODUCTS,
  type Screening,
} from './vocabulary-preventions';

/** One prevention to write: its type, when, and the screening it is (absent for vaccines). */
interface PreventionEvent {
  readonly type: string;
  readonly ms: number;
  readonly nextMs: number | null;
  readonly screening?: Screening;
  readonly dose: number;
}

const OFFICE_HOURS = (patient: Patient): number => patient.random.int(8 * 60, 17 * 60) * 60_000;

/** A moment drawn uniformly in [fromMs, toMs], at an office hour (toMs ≥ fromMs). */
function between(patient: Patient, fromMs: number, toMs: number): number {
  const days = Math.floor((toMs - fromMs) / ONE_DAY_MS);
  return (
    Math.floor(fromMs / ONE_DAY_MS) * ONE_DAY_MS +
    patient.random.int(0, Math.max(0, days)) * ONE_DAY_MS +
    OFFICE_HOURS(patient)
  );
}

function isoMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function vaccineEvents(setup: GeneratorSetup, patient: Patient): PreventionEvent[] {
  const { calendar } = setup;
  const { random, birthMs, ageYears } = patient;
  const events: PreventionEvent[] = [];
  const recordedFrom = patient.joinedMs - 365 * ONE_DAY_MS;
  if (random.chance(ageYears >= 65 ? 0.75 : 0.5)) {
    const seasons = random.int(1, Math.min(5, ageYears + 1));
    for (let dose = 0; dose < seasons; dose++) {
      const ms = calendar.daysAgo(dose * 365 + random.int(230, 300)) + OFFICE_HOURS(patient);
      if (ms >= birthMs + 180 * ONE_DAY_MS) events.push({ type: 'Flu', ms, nextMs: calendar.addYears(ms, 1), dose });
    }
  }
  if (ageYears < 25 && random.chance(0.9))
    CHILDHOOD_SCHEDULE.forEach(([type, months, since, boysSince], dose) => {
      const ms = birthMs + Math.round(months * 30.44 + random.int(0, 20)) * ONE_DAY_MS + OFFICE_HOURS(patient);
      const year = new Date(ms).getUTCFullYear();
      const from = patient.sex === 'M' && boysSince !== undefined ? boysSince : since;
      if (ms >= recordedFrom && ms <= calendar.referenceMs && year >= from && random.chance(0.6))
        events.push({ type, ms, nextMs: null, dose });
    });
  for (const vaccine of ADULT_VACCINES) {
    if (!random.chance(vaccine.chance)) continue;
    const fromMs = Math.max(
      recordedFrom,
      calendar.addYears(birthMs, vaccine.minAge),
      vaccine.from === undefined ? -Infinity : isoMs(vaccine.from),
    );
    const toMs = Math.min(
      calendar.referenceMs - ONE_DAY_MS,
      vaccine.until === undefined ? Infinity : isoMs(vaccine.until),
    );
    if (fromMs > toMs) continue;
    const doses =
      vaccine.type === 'COVID-19' ? random.int(1, vaccine.doseGapsDays.length) : vaccine.doseGapsDays.length;
    let ms = between(patient, fromMs, toMs);
    for (let dose = 0; dose < doses; dose++) {
      ms += ((vaccine.doseGapsDays[dose] as number) + (dose === 0 ? 0 : random.int(0, 20))) * ONE_DAY_MS;
      if (ms > calendar.referenceMs) break;
      events.push({ type: vaccine.type, ms, nextMs: null, dose });
    }
  }
  return events;
}

function screeningEvents(setup: GeneratorSetup, patient: Patient): PreventionEvent[] {
  const { calendar } = setup;
  const { random, birthMs } = patient;
  const events: PreventionEvent[] = [];
  for (const screening of SCREENINGS) {
    if ((screening.sex !== '' && screening.sex !== patient.sex) || !random.chance(screening.chance)) continue;
    // Inside the age band: on or after the minAge birthday, before the (maxAge + 1) birthday.
    const earliest = Math.max(
      calendar.addYears(birthMs, screening.minAge) + ONE_DAY_MS,
      patient.joinedMs - 365 * ONE_DAY_MS,
      calendar.addYears(calendar.referenceMs, -12),
    );
    const latest = Math.min(
      calendar.referenceMs - ONE_DAY_MS,
      calendar.addYears(birthMs, screening.maxAge + 1) - 2 * ONE_DAY_MS,
    );
    if (earliest > latest) continue;
    const interval = screening.intervalYears * 365;
    let ms = between(patient, earliest, interval === 0 ? latest : Math.min(latest, earliest + interval * ONE_DAY_MS));
    for (let dose = 0; ms <= latest; dose++) {
      events.push({
        type: screening.type,
        ms,
        nextMs: interval === 0 ? null : calendar.addYears(ms, screening.intervalYears),
        screening,
        dose,
      });
      if (interval === 0) break;
      ms += (interval + random.int(-60, 120)) * ONE_DAY_MS;
    }
  }
  return events;
}

/** Writes the preventions rows and their preventionsExt rows. */
export function writePreventions(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids, schema } = setup;
  const { random, demographicNo, provider } = patient;
  let zeroPlanted = false;
  for (const event of [...vaccineEvents(setup, patient), ...screeningEvents(setup, patient)]) {
    const r = random.next();
    const refused =
      r < PREVENTION_RATES.refused ? '1' : r < PREVENTION_RATES.refused + PREVENTION_RATES.ineligible ? '2' : '0';
    const id = ids.take('preventions');
    let preventionDate = schema === '12.1' ? calendar.date(event.ms) : calendar.dateTime(event.ms);
    if (!zeroPlanted && event.screening === undefined && patient.dirt.has('zeroDate') && random.chance(0.3)) {
      preventionDate = schema === '12.1' ? random.pick(ZERO_DATES) : `${random.pick(ZERO_DATES)} 00:00:00`;
      zeroPlanted = true;
      setup.dirt.plant('zeroDate', demographicNo);
    }
    const createdMs = calendar.later(event.ms, random.int(1, 600));
    rows.add('preventions', [
      id,
      demographicNo,
      calendar.dateTime(createdMs),
      preventionDate,
      provider.providerNo,
      `${provider.lastName}, ${provider.firstName}`,
      event.type,
      random.chance(PREVENTION_RATES.deleted) ? '1' : '0',
      refused,
      event.nextMs === null || refused !== '0' ? null : calendar.date(event.nextMs),
      '0',
      Number(provider.providerNo),
      calendar.dateTime(createdMs),
    ]);
    const ext: [string, string][] = [];
    if (refused === '1') ext.push(['neverReason', random.pick(REFUSAL_REASONS)]);
    else if (refused === '2')
      ext.push(['neverReason', event.screening?.ineligibleReason ?? random.pick(VACCINE_INELIGIBLE_REASONS)]);
    else if (event.screening !== undefined) {
      const recent = event.ms > calendar.referenceMs - 21 * ONE_DAY_MS;
      ext.push(['result', recent ? 'pending' : random.weighted(SCREENING_RESULTS, ([, weight]) => weight)[0]]);
      if (random.chance(0.2)) ext.push(['comments', 'Routine screening']);
    } else {
      const product = VACCINE_PRODUCTS.get(event.type);
      ext.push(
        ['name', product?.name ?? event.type],
        ['lot', `${String.fromCharCode(65 + random.int(0, 25))}${random.digits(5)}`],
        ['route', product?.route ?? 'IM'],
        ['location', product?.route === 'PO' ? 'oral' : random.pick(['left deltoid', 'right deltoid', 'LD', 'RD'])],
      );
      if (random.chance(0.5)) ext.push(['dose', product?.dose ?? '0.5 mL']);
      if (random.chance(0.4)) ext.push(['manufacture', product?.manufacture ?? '']);
      if (event.dose === 0 && random.chance(0.2))
        ext.push(['comments', dirtyText(setup, patient, 'No adverse reaction', ['accentedText'])]);
    }
    for (const [keyval, val] of ext) rows.add('preventionsExt', [ids.take('preventionsExt'), id, keyval, val]);
  }
}
