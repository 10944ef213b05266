export type FieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/** A syntax or range error in one field. `parseCron` adds the expression to the message. */
export class FieldSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSyntaxError';
  }
}

interface FieldSpec {
  min: number;
  max: number;
  /** Three-letter names in value order, starting at `min` (case-insensitive on input). */
  names?: readonly string[];
  namesText?: string;
}

const SPECS: Readonly<Record<FieldName, FieldSpec>> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  'day-of-month': { min: 1, max: 31 },
  month: {
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
    namesText: 'a month name JAN-DEC',
  },
  // 7 is accepted as a second Sunday and folded into 0 after parsing.
  'day-of-week': { min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], namesText: 'a day name SUN-SAT' },
};

/** Parses one field into its sorted, duplicate-free values; day-of-week values come back as 0-6. */
export function parseField(name: FieldName, text: string): number[] {
  const spec = SPECS[name];
  const values = new Set<number>();

  for (const item of text.split(',')) {
    if (item === '') throw new FieldSyntaxError(`${name} "${text}" has an empty list item; separate values with single commas`);
    for (const value of parseItem(name, spec, item)) values.add(name === 'day-of-week' ? value % 7 : value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Expands one list item: `*`, a value, a range `a-b`, or either of the first and last with `/step`. */
function parseItem(name: FieldName, spec: FieldSpec, item: string): number[] {
  const parts = item.split('/');
  if (parts.length > 2) throw new FieldSyntaxError(`${name} "${item}" has more than one "/"; write a single step such as "*/5"`);

  const [rangeText, stepText] = parts as [string, string | undefined];
  const [first, last] = parseRange(name, spec, rangeText);
  if (stepText === undefined) return valuesFrom(first, last, 1);

  if (!rangeText.includes('-') && rangeText !== '*') {
    throw new FieldSyntaxError(`${name} "${item}" has a step without a range; write "*/${stepText}" or "${rangeText}-${spec.max}/${stepText}"`);
  }
  return valuesFrom(first, last, parseStep(name, spec, stepText));
}

function parseRange(name: FieldName, spec: FieldSpec, text: string): [number, number] {
  // A star in day-of-week stops at 6 so that steps over it never count Sunday twice.
  if (text === '*') return [spec.min, name === 'day-of-week' ? 6 : spec.max];

  const bounds = text.split('-');
  if (bounds.length === 1) {
    const value = parseValue(name, spec, text);
    return [value, value];
  }
  if (bounds.length !== 2 || bounds.includes('')) {
    throw new FieldSyntaxError(`${name} "${text}" is not a range; write a range as "first-last", such as "1-5"`);
  }

  const first = parseValue(name, spec, bounds[0]!);
  let last = parseValue(name, spec, bounds[1]!);
  // FRI-SUN reads as Friday to Sunday, so a range ending on Sunday's name ends at 7.
  if (name === 'day-of-week' && last === 0 && bounds[1]!.toUpperCase() === 'SUN') last = 7;
  if (first > last) {
    throw new FieldSyntaxError(`${name} range "${text}" runs backwards; write the smaller value first, or list the values with commas`);
  }
  return [first, last];
}

function parseValue(name: FieldName, spec: FieldSpec, token: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) throw new FieldSyntaxError(`${name} ${token} is out of range ${spec.min}-${spec.max}`);
    return value;
  }

  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;

  const expected = spec.namesText ? `a number ${spec.min}-${spec.max} or ${spec.namesText}` : `a number ${spec.min}-${spec.max}`;
  throw new FieldSyntaxError(`${name} "${token}" is not ${expected}`);
}

function parseStep(name: FieldName, spec: FieldSpec, text: string): number {
  const largest = (name === 'day-of-week' ? 6 : spec.max) - spec.min;
  const step = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(step >= 1 && step <= largest)) throw new FieldSyntaxError(`${name} step "${text}" is invalid; use a whole number from 1 to ${largest}`);
  return step;
}

function valuesFrom(first: number, last: number, step: number): number[] {
  const values: number[] = [];
  for (let value = first; value <= last; value += step) values.push(value);
  return values;
}
