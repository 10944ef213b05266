export { GitHubAdvisoriesChannel, type GitHubAdvisoriesOptions } from './channel.js';
export { advisoryToOsv, AdvisoryConversionError } from './convert.js';
export { rangeToEvents, UnsupportedRangeError } from './version-range.js';
