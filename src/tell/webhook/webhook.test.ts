import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/fixture/log-capture.js';
import { TestClock } from '../../../test/fixture/clock.js';
import { fetchHttpClient } from '../../platform/http.js';
import { silentLogger } from '../../platform/logger.js';
import type { Alert } from '../alert.js';
import { DeliveryError } from '../notifier.js';
import { WebhookReceiver } from '../../../test/fixture/webhook-receiver.js';
import { WebhookNotifier, type WebhookNotifierOptions } from './index.js';

const ALERT: Alert = {
  kind: 'upgrade-failed',
  key: 'upgrade-failed:hs-prod-1:0.28.0-0.29.2',
  instance: 'hs-prod-1',
  severity: 'critical',
  title: 'Upgrade of hs-prod-1 to 0.29.2 failed',
  text: 'The health check never passed; headsup rolled back to 0.28.0.',
  facts: { from: '0.28.0', to: '0.29.2', attempts: 3, backup: null },
  at: new Date('2026-07-21T12:00:00Z'),
};

let receiver: WebhookReceiver;
let clock: TestClock;

beforeEach(async () => {
  receiver = await WebhookReceiver.start();
  clock = new TestClock();
});

afterEach(async () => {
  await receiver.close();
});

function notifier(options: Partial<WebhookNotifierOptions> = {}): WebhookNotifier {
  return new WebhookNotifier({ id: 'webhook:test', url: receiver.url('/hook/s3cret-path'), http: fetchHttpClient, clock, logger: silentLogger(), ...options });
}

async function failure(promise: Promise<void>): Promise<DeliveryError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('WebhookNotifier', () => {
  it('posts the alert as JSON', async () => {
    await notifier().send(ALERT);

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hook/s3cret-path');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual({
      source: 'headsup',
      version: 1,
      kind: 'upgrade-failed',
      key: 'upgrade-failed:hs-prod-1:0.28.0-0.29.2',
      instance: 'hs-prod-1',
      severity: 'critical',
      title: 'Upgrade of hs-prod-1 to 0.29.2 failed',
      text: 'The health check never passed; headsup rolled back to 0.28.0.',
      facts: { from: '0.28.0', to: '0.29.2', attempts: 3, backup: null },
      at: '2026-07-21T12:00:00.000Z',
    });
  });

  it('sends the configured headers', async () => {
    await notifier({ headers: { Authorization: 'Bearer webhook-secret-0123456789', 'X-Team': 'ops' } }).send(ALERT);

    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer webhook-secret-0123456789');
    expect(receiver.requests[0]?.headers['x-team']).toBe('ops');
  });

  it('masks secrets in the payload', async () => {
    await notifier().send({ ...ALERT, text: 'rejected token ghp_0123456789abcdefghijABCDEFGHIJ', facts: { url: 'https://example.com/x?token=abc' } });

    const payload = receiver.requests[0]?.json as { text: string; facts: Record<string, string> };
    expect(payload.text).toBe('rejected token ghp_[redacted]');
    expect(payload.facts.url).toBe('https://example.com/x?token=[redacted]');
  });

  it('retries 5xx, then succeeds', async () => {
    receiver.script({ status: 500 }, { status: 503 });

    await notifier().send(ALERT);

    expect(receiver.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(receiver.requests[2]?.body).toBe(receiver.requests[0]?.body);
  });

  it('waits for retry-after on 429', async () => {
    receiver.script({ status: 429, headers: { 'Retry-After': '7' } });

    await notifier().send(ALERT);

    expect(receiver.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('gives up on a retry-after above the cap', async () => {
    receiver.script({ status: 429, headers: { 'Retry-After': '3600' } });

    const error = await failure(notifier().send(ALERT));

    expect(receiver.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('retry-after 3600 s');
  });

  it('gives up after the last retry', async () => {
    receiver.script({ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 });

    const error = await failure(notifier().send(ALERT));

    expect(receiver.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('gave up after 4 attempts');
  });

  it('retries a timeout', async () => {
    receiver.script({ status: 204, hangMs: 2_000 });

    await notifier({ timeoutMs: 200 }).send(ALERT);

    expect(receiver.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('retries a refused connection, then gives up', async () => {
    const closed = await WebhookReceiver.start();
    const url = closed.url('/hook');
    await closed.close();

    const error = await failure(notifier({ url }).send(ALERT));

    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(error.message).toMatch(/unreachable: .*ECONNREFUSED/);
  });

  it('fails at once on 4xx, naming the notifier and host only', async () => {
    receiver.script({ status: 403, body: 'forbidden: bad signature' });

    const error = await failure(notifier().send(ALERT));

    expect(receiver.requests).toHaveLength(1);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('notifier webhook:test');
    expect(error.message).toContain(`${new URL(receiver.url()).host} returned HTTP 403: forbidden: bad signature`);
    expect(error.message).not.toContain('s3cret-path');
  });

  it('never logs the URL or headers', async () => {
    const capture = captureLogger();
    receiver.script({ status: 500 });

    await notifier({ logger: capture.logger, headers: { Authorization: 'Bearer webhook-secret-0123456789' } }).send(ALERT);

    expect(capture.records().some((record) => record.msg === 'retrying alert delivery')).toBe(true);
    expect(capture.text()).not.toContain('s3cret-path');
    expect(capture.text()).not.toContain('webhook-secret');
  });
});
