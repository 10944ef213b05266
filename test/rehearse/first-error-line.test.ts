import { describe, expect, it } from 'vitest';

import { firstErrorLine } from '../../src/apply/log-excerpt.js';

describe('first error line of configtest', () => {
  it('joins a message continued after a colon', () => {
    // Output of 0.29.2 `configtest` on a database with a table that its schema does not have.
    const output = [
      '2026-12-04T20:55:42Z INF Opening database database=sqlite3 path=/tmp/sandbox/db.sqlite',
      'Error: configuration error: creating new headscale: init state: initializing database: validating schema: invalid schema (-got, +want):',
      '',
      '>> Remove table "audit_sidecar"',
    ].join('\n');

    expect(firstErrorLine(output)).toBe(
      'Error: configuration error: creating new headscale: init state: initializing database: validating schema: invalid schema (-got, +want): >> Remove table "audit_sidecar"',
    );
  });

  it('keeps a complete zerolog line alone', () => {
    // Output of 0.28.0 `configtest` on the same database: the difference is inside the quoted error.
    const line = '2026-12-04T20:55:27Z FTL configtest.go:19 > Error initializing error="creating new headscale: init state: init database: validating schema: invalid schema (-got, +want):\\n\\n>> Remove table \\"audit_sidecar\\"\\n"';

    expect(firstErrorLine(`${line}\n2026-12-04T20:55:28Z INF later`)).toBe(line);
  });
});
