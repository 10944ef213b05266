import { describe, expect, it } from 'vitest';
import { firstErrorLine } from './log-excerpt.js';

describe('first error line', () => {
  it('finds the fatal line among info lines', () => {
    const logs = [
      '2026-12-04T10:00:00Z INF Opening database',
      '\u001b[31m2026-12-04T10:00:01Z FTL Fatal config error: randomize_client_port is removed\u001b[0m',
      '2026-12-04T10:00:02Z ERR later symptom',
    ].join('\n');

    expect(firstErrorLine(logs)).toBe('2026-12-04T10:00:01Z FTL Fatal config error: randomize_client_port is removed');
  });

  it('returns null without errors', () => {
    expect(firstErrorLine('INF all good\nINF still good')).toBeNull();
  });
});

describe('first error line of 0.29', () => {
  it('joins a bare level with its message', () => {
    const logs = '2026-12-04T20:10:27Z FTL\nFATAL: The "randomize_client_port" configuration key has been removed.\n';

    expect(firstErrorLine(logs)).toBe('2026-12-04T20:10:27Z FTL FATAL: The "randomize_client_port" configuration key has been removed.');
  });

  it('finds the cobra error prefix', () => {
    expect(firstErrorLine('Error: initializing: loading configuration: bad key')).toBe('Error: initializing: loading configuration: bad key');
  });
});
