import { ACCEPT_ALL, matchesFilter, type Alert, type AlertFilter } from '../alert.js';
import { endpointHost, type Notifier, type NotifierDeps } from '../notifier.js';
import { postJson, type JsonEndpoint } from '../post.js';
import { slackPayload } from './payload.js';

export { slackPayload, type SlackBlock, type SlackPayload } from './payload.js';

export interface SlackNotifierOptions extends NotifierDeps {
  id: string;
  /** The Slack incoming-webhook URL; its path is the credential, so it is never logged. */
  url: string;
  filter?: AlertFilter;
}

/** Posts each alert to a Slack incoming webhook as a Block Kit message (SlackPayload). */
export class SlackNotifier implements Notifier {
  readonly id: string;
  private readonly endpoint: JsonEndpoint;
  private readonly filter: AlertFilter;

  constructor(private readonly options: SlackNotifierOptions) {
    this.id = options.id;
    this.endpoint = { notifier: options.id, url: options.url, host: endpointHost(options.url, options.id), headers: {} };
    this.filter = options.filter ?? ACCEPT_ALL;
  }

  accepts(alert: Alert): boolean {
    return matchesFilter(alert, this.filter);
  }

  async send(alert: Alert): Promise<void> {
    await postJson(this.endpoint, slackPayload(alert), alert.key, this.options);
  }
}
