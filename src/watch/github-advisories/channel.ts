import { HEADSCALE_PACKAGE } from '../../judge/catalog/index.js';
import type { OsvRecord } from '../../judge/osv/types.js';
import type { AdvisoryChannel } from '../advisory-service.js';
import {
  DEFAULT_TOKEN_SOURCE,
  readableStoredEtag,
  recordingFailure,
  requestSettings,
  type ChannelDependencies,
  type GitHubTokenOptions,
} from '../channel-options.js';
import { JsonApiClient } from '../http/client.js';
import { gitHubHeaders, gitHubTokenHints } from '../http/github.js';
import { readLinkedPages } from '../http/link-pages.js';
import type { ServiceHints } from '../http/responses.js';
import { deserializeAdvisories, serializeAdvisories } from '../osv/stored.js';
import { ChannelError } from '../release.js';
import { AdvisoryConversionError, advisoryToOsv } from './convert.js';
import { advisoryPageSchema, advisorySchema, type GitHubAdvisory } from './schema.js';

export interface GitHubAdvisoriesOptions extends ChannelDependencies, GitHubTokenOptions {
  /** REST API root; default `https://api.github.com`. */
  apiUrl?: string;
  /** The Go module to list advisories for; default `github.com/juanfont/headscale`. */
  packageName?: string;
  /** Advisories per page, 1 to 100 (GitHub's maximum); default 100. */
  perPage?: number;
  /** Pages read before the list counts as invalid; default 10. */
  maxPages?: number;
}

/**
 * Headscale advisories from GitHub's "List global security advisories" endpoint
 * (`GET /advisories?ecosystem=go&affects=<module>`), all pages, converted into OSV records. GitHub
 * pages this list with cursors in the `Link` header. The ETag of the first page is stored with the
 * list, so an unchanged list costs one 304 that does not count against the rate limit.
 *
 * NOTE: only the first page is revalidated, so an edit to an advisory beyond the first page is not
 * seen until the first page changes. Headscale has had far fewer than 100 advisories, one page.
 */
export class GitHubAdvisoriesChannel implements AdvisoryChannel {
  static readonly id = 'github-advisories';
  readonly id = GitHubAdvisoriesChannel.id;

  private readonly client: JsonApiClient;
  private readonly firstPageUrl: string;
  private readonly origin: string;
  private readonly packageName: string;
  private readonly maxPages: number;

  constructor(private readonly options: GitHubAdvisoriesOptions) {
    const apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    const perPage = Math.min(100, Math.max(1, options.perPage ?? 100));
    this.packageName = options.packageName ?? HEADSCALE_PACKAGE;

    const query = new URLSearchParams({ ecosystem: 'go', affects: this.packageName, per_page: String(perPage) });
    this.firstPageUrl = `${apiUrl}/advisories?${query.toString()}`;
    this.origin = new URL(apiUrl).origin;
    this.maxPages = options.maxPages ?? 10;

    this.client = new JsonApiClient({
      channel: this.id,
      requestName: 'GitHub advisories request',
      headers: gitHubHeaders(options.token),
      hints: advisoryHints(Boolean(options.token), options.tokenSource ?? DEFAULT_TOKEN_SOURCE),
      ...requestSettings(options),
    });
  }

  /**
   * Fetches every page and stores the list with the first page's ETag. Returns null when GitHub
   * reports the first page unchanged (HTTP 304). Records a failure and throws ChannelError when
   * the list cannot be read or an advisory cannot be converted.
   */
  async fetchAdvisories(): Promise<OsvRecord[] | null> {
    return recordingFailure(this.id, this.options, () => this.fetchAllPages());
  }

  private async fetchAllPages(): Promise<OsvRecord[] | null> {
    const records = new Map<string, OsvRecord>();
    const read = await readLinkedPages({
      channel: this.id,
      firstPageUrl: this.firstPageUrl,
      etag: this.storedEtag(),
      maxPages: this.maxPages,
      listName: `the advisory list from ${new URL(this.origin).host}`,
      get: (url, etag) => this.client.request({ url, etag }),
      addPage: (json, pageNumber) => this.addPage(records, json, pageNumber),
    });
    if (!read) {
      this.options.state.recordSuccess(this.id, this.options.clock.now());
      return null;
    }

    const list = [...records.values()];
    this.options.state.recordSuccess(this.id, this.options.clock.now(), { etag: read.etag, data: serializeAdvisories(list) });
    return list;
  }

  /** Converts a page's advisories, keeping the first of duplicates that appear when an advisory is published between pages. */
  private addPage(records: Map<string, OsvRecord>, json: unknown, pageNumber: number): void {
    const where = `page ${pageNumber} of the advisory list from ${new URL(this.origin).host}`;
    const page = advisoryPageSchema.safeParse(json);
    if (!page.success) throw this.invalid(`${where} is not a JSON array`);

    for (const [index, item] of page.data.entries()) {
      const parsed = advisorySchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw this.invalid(`${where} has an unexpected shape at ${index}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
      }
      if (!records.has(parsed.data.ghsa_id)) records.set(parsed.data.ghsa_id, this.convert(parsed.data, where));
    }
  }

  private convert(advisory: GitHubAdvisory, where: string): OsvRecord {
    try {
      return advisoryToOsv(advisory, this.packageName);
    } catch (error) {
      if (!(error instanceof AdvisoryConversionError)) throw error;
      const fix = 'set channels.github_advisories.enabled to false to skip this source until GitHub corrects the advisory';
      throw new ChannelError(this.id, 'invalid-response', `${error.message} (${where}); ${fix}`, { cause: error });
    }
  }

  private storedEtag(): string | null {
    return readableStoredEtag(this.id, this.options, deserializeAdvisories, 'ignoring unreadable stored advisories');
  }

  private invalid(message: string): ChannelError {
    return new ChannelError(this.id, 'invalid-response', message);
  }
}

function advisoryHints(hasToken: boolean, tokenSource: string): ServiceHints {
  return {
    ...gitHubTokenHints({ hasToken, tokenSource }),
    forbidden: (host, detail) => `${host} denied access to the global advisories (HTTP 403${detail}); check that the token in ${tokenSource} is valid, or unset it`,
    notFound: (host, detail) => `${host} has no global advisories endpoint at /advisories (HTTP 404${detail}); check that channels.github.api_url points at the GitHub REST API`,
  };
}
