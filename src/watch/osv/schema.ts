import { z } from 'zod';
import type { OsvAffected, OsvEvent, OsvRange, OsvRangeType, OsvRecord, OsvSeverity } from '../../judge/osv/types.js';

/**
 * OSV records as osv.dev serves them (schema 1.x, https://ossf.github.io/osv-schema/), read as
 * loosely as the evaluator allows. Unknown fields are dropped, and so are severities and ranges of
 * types that headsup does not know and `affected` entries without a package. A range event must
 * have exactly one key, because the evaluation cannot guess which one counts.
 */
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const SEVERITY_TYPES: readonly string[] = ['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu'];
const RANGE_TYPES: readonly string[] = ['SEMVER', 'ECOSYSTEM', 'GIT'];

const eventSchema = z
  .object({ introduced: z.string(), fixed: z.string(), last_affected: z.string(), limit: z.string() })
  .partial()
  .refine((event) => EVENT_KEYS.filter((key) => event[key] !== undefined).length === 1, {
    message: `a range event must have exactly one of ${EVENT_KEYS.join(', ')}`,
  })
  .transform((event) => {
    const key = EVENT_KEYS.find((candidate) => event[candidate] !== undefined)!;
    return { [key]: event[key]! } as OsvEvent;
  });

const rangeSchema = z.object({ type: z.string(), events: z.array(eventSchema) });

const severitySchema = z.object({ type: z.string(), score: z.string() });

const freeForm = z.record(z.string(), z.unknown());

const affectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string() }).optional(),
  ranges: z.array(rangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  database_specific: freeForm.optional(),
});

const rawRecordSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).optional(),
  published: z.string().optional(),
  modified: z.string(),
  withdrawn: z.string().optional(),
  summary: z.string().optional(),
  severity: z.array(severitySchema).optional(),
  affected: z.array(affectedSchema).optional(),
  database_specific: freeForm.optional(),
});

/** Validates one OSV record and converts it into the OsvRecord that the evaluator reads. */
export const osvRecordSchema = rawRecordSchema.transform(toOsvRecord);

function toOsvRecord(record: z.infer<typeof rawRecordSchema>): OsvRecord {
  const { severity, affected, ...rest } = record;
  return {
    ...rest,
    ...(severity === undefined ? {} : { severity: severity.filter(isKnownSeverity) }),
    ...(affected === undefined ? {} : { affected: affected.flatMap(toAffected) }),
  };
}

function isKnownRangeType(type: string): type is OsvRangeType {
  return RANGE_TYPES.includes(type);
}

function isKnownSeverity(severity: { type: string; score: string }): severity is OsvSeverity {
  return SEVERITY_TYPES.includes(severity.type);
}

function toAffected(entry: z.infer<typeof affectedSchema>): OsvAffected[] {
  if (!entry.package) return [];

  const { ranges, ...rest } = entry;
  const known = ranges?.filter((range): range is z.infer<typeof rangeSchema> & OsvRange => isKnownRangeType(range.type));
  return [{ ...rest, package: entry.package, ...(known === undefined ? {} : { ranges: known }) }];
}

/** The outcome of reading a list of records; `error` names the record and the field that does not fit. */
export type OsvParseResult = { ok: true; records: OsvRecord[] } | { ok: false; error: string };

/** Validates a list of OSV records, e.g. the `vulns` of one response page. */
export function parseOsvRecords(items: readonly unknown[]): OsvParseResult {
  const records: OsvRecord[] = [];

  for (const [index, item] of items.entries()) {
    const parsed = osvRecordSchema.safeParse(item);
    if (!parsed.success) return { ok: false, error: `record ${describeItem(item, index)}: ${formatIssue(parsed.error.issues[0])}` };
    records.push(parsed.data);
  }
  return { ok: true, records };
}

function describeItem(item: unknown, index: number): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : `#${index + 1}`;
}

function formatIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'unexpected shape';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
