import { describe, expect, it } from 'vitest';
import { TimeZoneError, validateTimeZone } from './index.js';

describe('validateTimeZone', () => {
  for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Etc/UTC']) {
    it(`accepts ${zone}`, () => {
      expect(() => validateTimeZone(zone)).not.toThrow();
    });
  }

  for (const zone of ['Europe/Atlantis', 'Berlin', '+01:00', '']) {
    it(`rejects "${zone}"`, () => {
      expect(() => validateTimeZone(zone)).toThrow(TimeZoneError);
      expect(() => validateTimeZone(zone)).toThrow(`time zone "${zone}" is unknown`);
    });
  }

  it('hints at IANA names', () => {
    let caught: unknown;
    try {
      validateTimeZone('CEST+2');
    } catch (error) {
      caught = error;
    }
    expect((caught as TimeZoneError).code).toBe('TIMEZONE_INVALID');
    expect((caught as TimeZoneError).zone).toBe('CEST+2');
    expect((caught as TimeZoneError).hint).toBe('use an IANA name such as Europe/Berlin, America/New_York or UTC');
  });
});
