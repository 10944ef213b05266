import { z } from 'zod';
import type { OsvRecord } from '../../judge/osv/types.js';
import { osvRecordSchema } from './schema.js';

/**
 * The JSON kept in `channel_state.data` for an advisory channel's last good list, the same for
 * every channel because each converts its feed into OSV records. Bump `format` when the shape
 * changes; a reader rejects formats it does not know.
 */
const STORED_FORMAT = 1;

const storedListSchema = z.object({
  format: z.literal(STORED_FORMAT),
  records: z.array(osvRecordSchema),
});

/** Serialises advisory records for `ChannelStateRepository.recordSuccess`. */
export function serializeAdvisories(records: readonly OsvRecord[]): string {
  return JSON.stringify({ format: STORED_FORMAT, records });
}

/** Restores records written by `serializeAdvisories`. Throws an Error naming the problem when the text is not such a list. */
export function deserializeAdvisories(text: string): OsvRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`stored advisories are not valid JSON: ${(error as Error).message}`, { cause: error });
  }

  const parsed = storedListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`stored advisories have an unexpected shape at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return parsed.data.records;
}
