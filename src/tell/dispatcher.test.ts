import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../test/fixture/clock.js';
import { captureLogger } from '../../test/fixture/log-capture.js';
import { fetchHttpClient } from '../platform/http.js';
import { silentLogger } from '../platform/logger.js';
import { openStateDatabase, type StateDatabase } from '../store/database.js';
import type { Alert } from './alert.js';
import { AlertLogRepository } from './alert-log.js';
import { AlertDispatcher, type AlertDispatcherOptions } from './dispatcher.js';
import type { Notifier } from './notifier.js';
import { SlackNotifier } from './slack/index.js';
import { WebhookNotifier } from './webhook/index.js';
import { WebhookReceiver } from '../../test/fixture/webhook-receiver.js';

const HOUR_MS = 3_600_000;

const RELEASE: Alert = {
  kind: 'new-release',
  key: 'new-release:v0.29.2',
  instance: null,
  severity: 'info',
  title: 'Headscale 0.29.2 released',
  text: 'A new stable release is available.',
  facts: { version: '0.29.2' },
  at: new Date('2026-07-21T12:00:00Z'),
};

const DEADLINE: Alert = {
  kind: 'deadline-near',
  key: 'deadline-near:hs-prod-1:GHSA-wp76-cf2j-rqq7',
  instance: 'hs-prod-1',
  severity: 'warning',
  title: 'hs-prod-1 must be patched within 2 days',
  text: 'GHSA-wp76-cf2j-rqq7 is fixed in 0.23.0.',
  facts: { advisory: 'GHSA-wp76-cf2j-rqq7' },
  at: new Date('2026-07-21T12:00:00Z'),
};

let db: StateDatabase;
let log: AlertLogRepository;
let clock: TestClock;
let webhookReceiver: WebhookReceiver;
let slackReceiver: WebhookReceiver;

beforeEach(async () => {
  db = openStateDatabase(join(mkdtempSync(join(tmpdir(), 'headsup-dispatch-')), 'state.db'));
  log = new AlertLogRepository(db);
  clock = new TestClock();
  webhookReceiver = await WebhookReceiver.start();
  slackReceiver = await WebhookReceiver.start();
});

afterEach(async () => {
  await webhookReceiver.close();
  await slackReceiver.close();
  db.close();
});

function webhook(): WebhookNotifier {
  return new WebhookNotifier({ id: 'webhook:ops', url: webhookReceiver.url(), http: fetchHttpClient, clock, logger: silentLogger() });
}

function slack(): SlackNotifier {
  return new SlackNotifier({ id: 'slack:ops', url: slackReceiver.url(), http: fetchHttpClient, clock, logger: silentLogger() });
}

function dispatcher(notifiers: Notifier[], options: Partial<AlertDispatcherOptions> = {}): AlertDispatcher {
  return new AlertDispatcher({ notifiers, log, clock, logger: silentLogger(), ...options });
}

function keysAt(receiver: WebhookReceiver): string[] {
  return receiver.requests.map((request) => (request.json as { key: string }).key);
}

describe('AlertDispatcher', () => {
  it('delivers each alert once across two dispatches', async () => {
    const alerts = dispatcher([webhook(), slack()]);

    const first = await alerts.dispatch([RELEASE, DEADLINE]);
    const second = await alerts.dispatch([RELEASE, DEADLINE]);

    expect(first.deliveries.map((delivery) => [delivery.key, delivery.notifier, delivery.status])).toEqual([
      ['new-release:v0.29.2', 'webhook:ops', 'sent'],
      ['new-release:v0.29.2', 'slack:ops', 'sent'],
      ['deadline-near:hs-prod-1:GHSA-wp76-cf2j-rqq7', 'webhook:ops', 'sent'],
      ['deadline-near:hs-prod-1:GHSA-wp76-cf2j-rqq7', 'slack:ops', 'sent'],
    ]);
    expect(second.deliveries.map((delivery) => delivery.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(keysAt(webhookReceiver)).toEqual(['new-release:v0.29.2', 'deadline-near:hs-prod-1:GHSA-wp76-cf2j-rqq7']);
    expect(slackReceiver.requests).toHaveLength(2);
  });

  it('sends a repeated key within one dispatch once', async () => {
    const result = await dispatcher([webhook()]).dispatch([RELEASE, { ...RELEASE, title: 'again' }]);

    expect(result.deliveries.map((delivery) => delivery.status)).toEqual(['sent', 'duplicate']);
    expect(webhookReceiver.requests).toHaveLength(1);
  });

  it('reminds after the interval has passed', async () => {
    const alerts = dispatcher([webhook()]);
    await alerts.dispatch([RELEASE, DEADLINE]);

    clock.advance(23 * HOUR_MS);
    const early = await alerts.dispatch([RELEASE, DEADLINE]);
    clock.advance(HOUR_MS);
    const due = await alerts.dispatch([RELEASE, DEADLINE]);

    expect(early.deliveries.map((delivery) => delivery.status)).toEqual(['duplicate', 'duplicate']);
    expect(due.deliveries[0]?.status).toBe('duplicate');
    expect(due.deliveries[1]).toMatchObject({ status: 'sent', reminder: true });
    expect(keysAt(webhookReceiver)).toEqual([RELEASE.key, DEADLINE.key, DEADLINE.key]);
    expect(log.find('webhook:ops', DEADLINE.key)?.sendCount).toBe(2);
  });

  it('takes reminder intervals from the options', async () => {
    const alerts = dispatcher([webhook()], { reminders: { 'new-release': 2 * HOUR_MS, 'deadline-near': null } });
    await alerts.dispatch([RELEASE, DEADLINE]);

    clock.advance(30 * HOUR_MS);
    const later = await alerts.dispatch([RELEASE, DEADLINE]);

    expect(later.deliveries.map((delivery) => delivery.status)).toEqual(['sent', 'duplicate']);
  });

  it('retries a failed delivery on the next dispatch', async () => {
    webhookReceiver.script({ status: 400, body: 'invalid payload' });
    const alerts = dispatcher([webhook()]);

    const first = await alerts.dispatch([RELEASE]);
    const second = await alerts.dispatch([RELEASE]);
    const third = await alerts.dispatch([RELEASE]);

    expect(first.deliveries[0]).toMatchObject({ status: 'failed', permanent: true });
    expect(first.deliveries[0]).toHaveProperty('reason', expect.stringContaining('returned HTTP 400: invalid payload'));
    expect(second.deliveries[0]).toMatchObject({ status: 'sent', reminder: false });
    expect(third.deliveries[0]?.status).toBe('duplicate');
    expect(webhookReceiver.requests).toHaveLength(2);
  });

  it('records a temporary failure after the retries are spent', async () => {
    webhookReceiver.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });

    const result = await dispatcher([webhook()]).dispatch([RELEASE]);

    expect(result.deliveries[0]).toMatchObject({ status: 'failed', permanent: false });
    expect(log.find('webhook:ops', RELEASE.key)).toMatchObject({ sendCount: 0, lastSentAt: null });
    expect(log.find('webhook:ops', RELEASE.key)?.lastError).toContain('gave up after 4 attempts');
  });

  it('keeps delivering to other notifiers when one fails', async () => {
    webhookReceiver.fallback = { status: 410, body: 'gone' };

    const result = await dispatcher([webhook(), slack()]).dispatch([RELEASE, DEADLINE]);

    expect(result.deliveries.map((delivery) => [delivery.notifier, delivery.status])).toEqual([
      ['webhook:ops', 'failed'],
      ['slack:ops', 'sent'],
      ['webhook:ops', 'failed'],
      ['slack:ops', 'sent'],
    ]);
    expect(slackReceiver.requests).toHaveLength(2);
  });

  it('reports an unexpected notifier error as a failure', async () => {
    const broken: Notifier = { id: 'broken', send: async () => Promise.reject(new RangeError('payload bug')) };
    const capture = captureLogger();

    const result = await dispatcher([broken, webhook()], { logger: capture.logger }).dispatch([RELEASE]);

    expect(result.deliveries.map((delivery) => delivery.status)).toEqual(['failed', 'sent']);
    expect(capture.records().find((record) => record.msg === 'alert delivery failed with an unexpected error')).toMatchObject({ notifier: 'broken', alert: RELEASE.key });
  });

  it('skips alerts the notifier filters out', async () => {
    const critical = new WebhookNotifier({
      id: 'webhook:pager',
      url: webhookReceiver.url(),
      http: fetchHttpClient,
      clock,
      logger: silentLogger(),
      filter: { kinds: null, minSeverity: 'warning' },
    });

    const result = await dispatcher([critical]).dispatch([RELEASE, DEADLINE]);

    expect(result.deliveries.map((delivery) => delivery.status)).toEqual(['filtered', 'sent']);
    expect(keysAt(webhookReceiver)).toEqual([DEADLINE.key]);
    expect(log.find('webhook:pager', RELEASE.key)).toBeNull();
  });
});
