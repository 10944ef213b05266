export { JsonApiClient, type JsonApiClientOptions, type JsonRequest, type JsonResponse } from './client.js';
export { classifyResponse, rateLimitedUntil, type AttemptOutcome, type ServiceHints } from './responses.js';
export { gitHubHeaders, gitHubTokenHints } from './github.js';
