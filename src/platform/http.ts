/** Options of one HTTP request; `timeoutMs` bounds the whole exchange, body included. */
export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/**
 * The one way headsup talks HTTP. The default implementation is Node's built-in fetch; tests pass
 * the same implementation pointed at servers on 127.0.0.1.
 */
export interface HttpClient {
  fetch(url: string, init?: HttpRequestInit): Promise<Response>;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export const fetchHttpClient: HttpClient = {
  async fetch(url, init = {}) {
    const { timeoutMs = DEFAULT_HTTP_TIMEOUT_MS, ...rest } = init;
    return fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  },
};

/** Tells whether an error thrown by fetch means the request timed out. */
export function isTimeoutError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
