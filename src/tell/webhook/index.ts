import { ACCEPT_ALL, matchesFilter, type Alert, type AlertFilter } from '../alert.js';
import { endpointHost, type Notifier, type NotifierDeps } from '../notifier.js';
import { postJson, type JsonEndpoint } from '../post.js';
import { redactAlert } from '../redact.js';

/** The JSON body of a generic webhook; `version` changes only when a field changes meaning or goes away. */
export interface WebhookPayload {
  source: 'headsup';
  version: 1;
  kind: Alert['kind'];
  key: string;
  instance: string | null;
  severity: Alert['severity'];
  title: string;
  text: string;
  facts: Alert['facts'];
  /** ISO 8601 time in UTC. */
  at: string;
}

export interface WebhookNotifierOptions extends NotifierDeps {
  id: string;
  /** The receiver's URL; a secret, never logged or put in messages. */
  url: string;
  /** Extra request headers, such as `Authorization`; secrets, never logged. */
  headers?: Record<string, string>;
  filter?: AlertFilter;
}

/** Builds the webhook body of an alert, with secrets masked. */
export function webhookPayload(alert: Alert): WebhookPayload {
  const safe = redactAlert(alert);
  return {
    source: 'headsup',
    version: 1,
    kind: safe.kind,
    key: safe.key,
    instance: safe.instance,
    severity: safe.severity,
    title: safe.title,
    text: safe.text,
    facts: safe.facts,
    at: safe.at.toISOString(),
  };
}

/** POSTs each alert as JSON (WebhookPayload) to a URL. */
export class WebhookNotifier implements Notifier {
  readonly id: string;
  private readonly endpoint: JsonEndpoint;
  private readonly filter: AlertFilter;

  constructor(private readonly options: WebhookNotifierOptions) {
    this.id = options.id;
    this.endpoint = { notifier: options.id, url: options.url, host: endpointHost(options.url, options.id), headers: options.headers ?? {} };
    this.filter = options.filter ?? ACCEPT_ALL;
  }

  accepts(alert: Alert): boolean {
    return matchesFilter(alert, this.filter);
  }

  async send(alert: Alert): Promise<void> {
    await postJson(this.endpoint, webhookPayload(alert), alert.key, this.options);
  }
}
