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

describe('first error line since a time', () => {
  it('ignores errors of an earlier attempt', () => {
    const logs = [
      '2026-12-04T20:46:40Z FTL',
      'FATAL: an old failure',
      '2026-12-04T20:48:00Z INF starting',
      '2026-12-04T20:48:01Z ERR the new failure',
    ].join('\n');

    expect(firstErrorLine(logs, new Date('2026-12-04T20:47:59.500Z'))).toBe('2026-12-04T20:48:01Z ERR the new failure');
    expect(firstErrorLine(logs, new Date('2026-12-04T20:49:00Z'))).toBeNull();
  });

  it('keeps a log without timestamps whole', () => {
    expect(firstErrorLine('Error: initializing: bad key', new Date())).toBe('Error: initializing: bad key');
  });
});
