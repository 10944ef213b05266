export { OsvChannel, type OsvChannelOptions } from './channel.js';
export { osvRecordSchema, parseOsvRecords, type OsvParseResult } from './schema.js';
export { serializeAdvisories, deserializeAdvisories } from './stored.js';
