import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../test/fixture/clock.js';
import { silentLogger } from '../../platform/logger.js';
import type { HttpClient } from '../../platform/http.js';
import { ChannelStateRepository } from '../../store/channel-state.js';
import { openStateDatabase } from '../../store/database.js';
import { ChannelError } from '../release.js';
import { GitHubReleasesChannel } from './channel.js';

// A failed DNS lookup cannot be produced here without querying a resolver outside this machine,
// so this client fails the way Node's fetch does when a name does not resolve.
const unresolvable: HttpClient = {
  fetch: async () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.github.com'), { code: 'ENOTFOUND' }) });
  },
};

describe('GitHub channel without DNS', () => {
  it('gives up on an unknown host at once', async () => {
    let requests = 0;
    const http: HttpClient = { fetch: (url, init) => (requests++, unresolvable.fetch(url, init)) };
    const clock = new TestClock();
    const channel = new GitHubReleasesChannel({ http, clock, logger: silentLogger(), state: new ChannelStateRepository(openStateDatabase(':memory:')) });

    const error = await channel.fetchReleases().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).message).toBe('api.github.com unreachable: getaddrinfo ENOTFOUND api.github.com');
    expect(requests).toBe(1);
  });
});
