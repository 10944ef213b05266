import { compareVersions, parseVersion, type Version } from '../version.js';
import type { OsvEvent, OsvRange } from './types.js';

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

/** A range event with its version parsed. `at` is null for `introduced: "0"`, which sorts below every version. */
export type RangeEvent =
  | { readonly kind: 'introduced'; readonly at: Version | null }
  | { readonly kind: 'fixed' | 'last_affected' | 'limit'; readonly at: Version };

/** A record that headsup cannot evaluate, such as an event whose version is not a Headscale release. */
export class OsvRecordError extends Error {
  constructor(
    readonly recordId: string,
    message: string,
  ) {
    super(`OSV record ${recordId}: ${message}`);
    this.name = 'OsvRecordError';
  }
}

/**
 * Parses a range's events and sorts them by version, as the OSV evaluation requires. A leading `v`
 * is tolerated. `limit: "*"` means no limit and is dropped.
 *
 * @throws OsvRecordError when an event has other than one key or its version does not parse.
 */
export function parseRangeEvents(recordId: string, range: OsvRange): RangeEvent[] {
  const events: RangeEvent[] = [];

  for (const event of range.events) {
    const kind = eventKind(recordId, event);
    const text = (event as Record<EventKind, string>)[kind];

    if (kind === 'limit' && text === '*') continue;

    if (kind === 'introduced' && text === '0') {
      events.push({ kind, at: null });
    } else {
      events.push({ kind, at: parseEventVersion(recordId, kind, text) });
    }
  }

  return events.sort((a, b) => compareEventPositions(a.at, b.at));
}

/** Compares two event positions, with null (`introduced: "0"`) lowest. */
export function compareEventPositions(a: Version | null, b: Version | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return compareVersions(a, b);
}

function eventKind(recordId: string, event: OsvEvent): EventKind {
  const kinds = EVENT_KINDS.filter((kind) => Object.hasOwn(event, kind));
  if (kinds.length !== 1) {
    throw new OsvRecordError(
      recordId,
      `range event ${JSON.stringify(event)} must have exactly one of ${EVENT_KINDS.join(', ')}`,
    );
  }
  return kinds[0]!;
}

function parseEventVersion(recordId: string, kind: EventKind, text: string): Version {
  // NOTE: Go pseudo-versions such as 0.22.4-0.20231210…-abcdef are not Headscale releases, so a
  // record whose events use them is rejected whole rather than evaluated.
  const version = typeof text === 'string' ? parseVersion(text) : null;
  if (!version) {
    throw new OsvRecordError(
      recordId,
      `${kind} version ${JSON.stringify(text)} is not a Headscale release version such as 0.22.3 or 0.23.0-beta.4`,
    );
  }
  return version;
}
