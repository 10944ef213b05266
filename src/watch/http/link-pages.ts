import { nextPageUrl } from '../github-releases/link.js';
import { ChannelError } from '../release.js';
import type { JsonResponse } from './client.js';

export interface LinkedPagesRequest {
  channel: string;
  firstPageUrl: string;
  /** Sent with the first request only, as `If-None-Match`. */
  etag: string | null;
  /** Pages read before the list counts as invalid. */
  maxPages: number;
  /** Names the list in the error for too many pages, e.g. "the release list". */
  listName: string;
  /** Sends one GET. `etag` is null for every page after the first. */
  get: (url: string, etag: string | null) => Promise<JsonResponse>;
  /** Receives the parsed body of each page with its number, counted from 1. A throw stops the reading. */
  addPage: (json: unknown, pageNumber: number) => void;
}

/**
 * Reads a list that GitHub pages with `rel="next"` links in the `Link` header, handing each page to
 * `request.addPage`. Returns the first page's ETag, or null when the server reports the first page
 * unchanged (HTTP 304). Throws ChannelError when a next-page link leads to another origin (which
 * keeps a token from going to another host), when the list has more than `maxPages` pages, or when
 * a later page returns 304.
 */
export async function readLinkedPages(request: LinkedPagesRequest): Promise<{ etag: string | null } | null> {
  const first = await request.get(request.firstPageUrl, request.etag);
  if (first.status === 304) return null;

  const origin = new URL(request.firstPageUrl).origin;
  let page: Extract<JsonResponse, { status: 200 }> = first;
  for (let pageNumber = 1; ; pageNumber++) {
    request.addPage(page.json, pageNumber);

    const next = nextPageUrl(page.link, request.firstPageUrl);
    if (!next) break;
    if (new URL(next).origin !== origin) throw invalid(request, `the next-page link leads away from ${origin}: ${next}`);
    if (pageNumber >= request.maxPages) throw invalid(request, `${request.listName} has more than ${request.maxPages} pages`);

    const response = await request.get(next, null);
    if (response.status === 304) throw invalid(request, `${next} returned 304 to a request without If-None-Match`);
    page = response;
  }

  return { etag: first.etag };
}

function invalid(request: LinkedPagesRequest, message: string): ChannelError {
  return new ChannelError(request.channel, 'invalid-response', message);
}
