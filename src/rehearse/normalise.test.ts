import { describe, expect, it } from 'vitest';
import { normaliseApiKeys, normaliseNodes, normaliseRoutes, TAGGED_DEVICES_USER_ID } from './normalise.js';

describe('normaliseApiKeys', () => {
  const key = { id: 1, expiration: { seconds: 1804192880, nanos: 57383561 }, created_at: { seconds: 1796416880, nanos: 126752211 } };

  // One key made on 0.27.1, listed by 0.27.1 and, after an in-place upgrade, by 0.28.0.
  it('equates a legacy prefix with its masked form', () => {
    expect(normaliseApiKeys([{ ...key, prefix: 'xgduPxy***' }])).toEqual(normaliseApiKeys([{ ...key, prefix: 'xgduPxy' }]));
    expect(normaliseApiKeys([{ ...key, prefix: 'xgduPxy' }])[0]?.prefix).toBe('xgduPxy');
  });

  it('drops the mask of a 0.28 key', () => {
    expect(normaliseApiKeys([{ ...key, prefix: 'hskey-api-8mktPgI7N3Fc-***' }])[0]?.prefix).toBe('hskey-api-8mktPgI7N3Fc');
  });

  it('keeps a dash that belongs to a legacy prefix', () => {
    expect(normaliseApiKeys([{ ...key, prefix: 'abcdef-***' }])[0]?.prefix).toBe('abcdef-');
  });

  it('converts the times', () => {
    expect(normaliseApiKeys([{ ...key, prefix: 'x' }])).toEqual([{ id: 1, prefix: 'x', expiration: '2027-03-04T20:41:20.057Z', createdAt: '2026-12-04T20:41:20.126Z' }]);
  });
});

describe('normaliseRoutes', () => {
  it('sorts routes and leaves out served routes', () => {
    const output = [{ id: 5, name: 'router1', approved_routes: ['10.1.0.0/16'], available_routes: ['10.1.0.0/16', '0.0.0.0/0', '::/0'], subnet_routes: ['10.1.0.0/16'] }];

    expect(normaliseRoutes(output).get(5)).toEqual({ advertised: ['0.0.0.0/0', '10.1.0.0/16', '::/0'], approved: ['10.1.0.0/16'] });
  });

  it('reads null as no routes', () => {
    expect(normaliseRoutes(null).size).toBe(0);
  });
});

describe('normaliseNodes', () => {
  const node = { id: 5, name: 'router1', given_name: 'router1', machine_key: 'mkey:01', ip_addresses: ['100.64.0.5'], user: { id: 1, name: 'user1' } };

  it('merges the routes of the node', () => {
    const routes = normaliseRoutes([{ id: 5, approved_routes: ['10.1.0.0/16'], available_routes: ['10.1.0.0/16'] }]);

    expect(normaliseNodes([node], routes)[0]).toMatchObject({ advertisedRoutes: ['10.1.0.0/16'], approvedRoutes: ['10.1.0.0/16'] });
    expect(normaliseNodes([node])[0]).toMatchObject({ advertisedRoutes: [], approvedRoutes: [] });
  });

  it('gives a node of the tagged-devices pseudo-user no owner', () => {
    const tagged = { ...node, tags: ['tag:server'], user: { id: TAGGED_DEVICES_USER_ID, name: 'tagged-devices' } };

    expect(normaliseNodes([tagged])[0]?.owner).toBeNull();
  });

  it('keeps the user of a tagged node up to 0.27', () => {
    expect(normaliseNodes([{ ...node, forced_tags: ['tag:server'], valid_tags: ['tag:server'] }])[0]).toMatchObject({ owner: 'user1', tags: ['tag:server'] });
  });
});
