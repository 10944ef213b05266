export { GitHubReleasesChannel, type GitHubReleasesOptions } from './channel.js';
export { parseReleasePage, normaliseDigest, type PageParseResult } from './parse.js';
export { serializeReleases, deserializeReleases } from './stored.js';
export { nextPageUrl } from './link.js';
