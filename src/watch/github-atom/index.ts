export { GitHubAtomChannel, type GitHubAtomOptions } from './channel.js';
export { parseAtomFeed, type FeedParseResult } from './feed.js';
export { htmlToText } from './html-text.js';
