import { z } from 'zod';
import { HEADSCALE_PACKAGE } from '../../judge/catalog/index.js';
import type { OsvRecord } from '../../judge/osv/types.js';
import type { AdvisoryChannel } from '../advisory-service.js';
import { recordingFailure, requestSettings, type ChannelDependencies } from '../channel-options.js';
import { JsonApiClient } from '../http/client.js';
import type { ServiceHints } from '../http/responses.js';
import { ChannelError } from '../release.js';
import { parseOsvRecords } from './schema.js';
import { serializeAdvisories } from './stored.js';

export interface OsvChannelOptions extends ChannelDependencies {
  /** API root; default `https://api.osv.dev`. */
  baseUrl?: string;
  /** The Go module to query; default `github.com/juanfont/headscale`. */
  packageName?: string;
  /** Pages read before the result counts as invalid; default 10. osv.dev starts paging above 1,000 records. */
  maxPages?: number;
}

/** One page of `POST /v1/query`; osv.dev returns `{}` when no record matches. */
const pageSchema = z.object({
  vulns: z.array(z.unknown()).optional(),
  next_page_token: z.string().optional(),
});

/**
 * Every OSV record of the Headscale module from `POST /v1/query`, all pages. The query has no
 * version, so osv.dev returns every record for the package, withdrawn ones included. The list is
 * stored on success, so the advisory service can fall back to it.
 *
 * NOTE: the query is a POST without an ETag, so every poll downloads the full list.
 */
export class OsvChannel implements AdvisoryChannel {
  static readonly id = 'osv';
  readonly id = OsvChannel.id;

  private readonly client: JsonApiClient;
  private readonly queryUrl: string;
  private readonly host: string;
  private readonly packageName: string;
  private readonly maxPages: number;

  constructor(private readonly options: OsvChannelOptions) {
    const baseUrl = (options.baseUrl ?? 'https://api.osv.dev').replace(/\/+$/, '');
    this.queryUrl = `${baseUrl}/v1/query`;
    this.host = new URL(baseUrl).host;
    this.packageName = options.packageName ?? HEADSCALE_PACKAGE;
    this.maxPages = options.maxPages ?? 10;

    this.client = new JsonApiClient({
      channel: this.id,
      requestName: 'OSV query',
      headers: { Accept: 'application/json', 'User-Agent': 'headsup' },
      hints: osvHints(),
      ...requestSettings(options),
    });
  }

  /**
   * Fetches every page and stores the combined list. Never returns null, because the query cannot
   * be revalidated. Records a failure and throws ChannelError when the list cannot be read.
   */
  async fetchAdvisories(): Promise<OsvRecord[]> {
    return recordingFailure(this.id, this.options, () => this.fetchAllPages());
  }

  private async fetchAllPages(): Promise<OsvRecord[]> {
    const records = new Map<string, OsvRecord>();
    let pageToken: string | undefined;

    for (let pageNumber = 1; ; pageNumber++) {
      const body = { package: { name: this.packageName, ecosystem: 'Go' }, ...(pageToken ? { page_token: pageToken } : {}) };
      const response = await this.client.request({ url: this.queryUrl, method: 'POST', body });
      if (response.status === 304) throw this.invalid(`${this.host} returned 304 to a query without If-None-Match`);

      pageToken = this.addPage(records, response.json, pageNumber);
      if (!pageToken) break;
      if (pageNumber >= this.maxPages) throw this.invalid(`the OSV result for ${this.packageName} from ${this.host} has more than ${this.maxPages} pages`);
    }

    const list = [...records.values()];
    this.options.state.recordSuccess(this.id, this.options.clock.now(), { data: serializeAdvisories(list) });
    return list;
  }

  /** Adds a page's records, keeping the first of duplicates, and returns the token of the next page. */
  private addPage(records: Map<string, OsvRecord>, json: unknown, pageNumber: number): string | undefined {
    const where = `page ${pageNumber} of the OSV result from ${this.host}`;
    const page = pageSchema.safeParse(json);
    if (!page.success) throw this.invalid(`${where} is not an OSV query response: ${page.error.issues[0]?.message ?? 'unexpected shape'}`);

    const parsed = parseOsvRecords(page.data.vulns ?? []);
    if (!parsed.ok) throw this.invalid(`${where} has an invalid ${parsed.error}`);

    for (const record of parsed.records) {
      if (!records.has(record.id)) records.set(record.id, record);
    }
    return page.data.next_page_token || undefined;
  }

  private invalid(message: string): ChannelError {
    return new ChannelError(this.id, 'invalid-response', message);
  }
}

function osvHints(): ServiceHints {
  const fix = 'check channels.osv.api_url, which must point at an OSV API such as https://api.osv.dev';
  return {
    unauthorized: (host, detail) => `${host} rejected the OSV query (HTTP 401${detail}); ${fix}`,
    forbidden: (host, detail) => `${host} denied the OSV query (HTTP 403${detail}); ${fix}`,
    notFound: (host, detail) => `${host} has no OSV query endpoint at /v1/query (HTTP 404${detail}); ${fix}`,
    rateLimitHint: '',
  };
}
