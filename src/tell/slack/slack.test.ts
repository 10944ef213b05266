import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../../test/fixture/clock.js';
import { fetchHttpClient } from '../../platform/http.js';
import { silentLogger } from '../../platform/logger.js';
import type { Alert } from '../alert.js';
import { DeliveryError } from '../notifier.js';
import { WebhookReceiver } from '../../../test/fixture/webhook-receiver.js';
import { SlackNotifier, slackPayload, type SlackBlock } from './index.js';

const ALERT: Alert = {
  kind: 'deadline-overdue',
  key: 'deadline-overdue:hs-prod-1:GHSA-wp76-cf2j-rqq7',
  instance: 'hs-prod-1',
  severity: 'warning',
  title: 'hs-prod-1 is past its patch deadline',
  text: 'Upgrade to 0.23.0 or newer: API keys <appear> in info logs & more.',
  facts: { advisory: 'GHSA-wp76-cf2j-rqq7', cvss: 7.5, fixed_in: null },
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

function notifier(): SlackNotifier {
  return new SlackNotifier({ id: 'slack:ops', url: receiver.url('/services/T000/B000/XXXXSECRET'), http: fetchHttpClient, clock, logger: silentLogger() });
}

function fieldTexts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((block) => ('fields' in block ? block.fields.map((field) => field.text) : []));
}

describe('SlackNotifier', () => {
  it('posts a Block Kit message', async () => {
    receiver.fallback = { status: 200, body: 'ok' };

    await notifier().send(ALERT);

    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
    expect(receiver.requests[0]?.json).toEqual({
      text: 'Warning: hs-prod-1 is past its patch deadline',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: ':warning: hs-prod-1 is past its patch deadline', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Upgrade to 0.23.0 or newer: API keys &lt;appear&gt; in info logs &amp; more.' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*advisory*\nGHSA-wp76-cf2j-rqq7' },
            { type: 'mrkdwn', text: '*cvss*\n7.5' },
            { type: 'mrkdwn', text: '*fixed_in*\n_none_' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'headsup · warning · deadline-overdue · instance hs-prod-1 · 2026-07-21T12:00:00.000Z' }] },
      ],
    });
  });

  it('retries 429 after retry-after', async () => {
    receiver.script({ status: 429, headers: { 'Retry-After': '2' }, body: 'rate_limited' });

    await notifier().send(ALERT);

    expect(receiver.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it('fails at once when Slack rejects the webhook', async () => {
    receiver.script({ status: 404, body: 'no_service' });

    const error = await notifier().send(ALERT).then(() => null, (caught: unknown) => caught);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(true);
    expect((error as DeliveryError).message).toContain('notifier slack:ops');
    expect((error as DeliveryError).message).toContain('returned HTTP 404: no_service');
    expect((error as DeliveryError).message).not.toContain('XXXXSECRET');
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('slackPayload', () => {
  it('keeps texts within Block Kit limits', () => {
    const payload = slackPayload({ ...ALERT, title: 'T'.repeat(400), text: '&'.repeat(2000) });

    const header = payload.blocks[0] as { text: { text: string } };
    const section = payload.blocks[1] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text).toMatch(/^(&amp;)+…$/);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
  });

  it('splits facts into sections of at most 10 fields', () => {
    const facts = Object.fromEntries(Array.from({ length: 23 }, (_, index) => [`fact${index}`, index]));

    const payload = slackPayload({ ...ALERT, facts });

    const sections = payload.blocks.filter((block) => 'fields' in block);
    expect(sections.map((block) => ('fields' in block ? block.fields.length : 0))).toEqual([10, 10, 3]);
    expect(fieldTexts(payload.blocks)).toHaveLength(23);
  });

  it('notes the facts beyond 40', () => {
    const facts = Object.fromEntries(Array.from({ length: 45 }, (_, index) => [`fact${index}`, index]));

    const payload = slackPayload({ ...ALERT, facts });

    expect(fieldTexts(payload.blocks)).toHaveLength(40);
    expect(JSON.stringify(payload.blocks.at(-1))).toContain('5 more facts not shown');
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
  });

  it('leaves out an empty text section', () => {
    const payload = slackPayload({ ...ALERT, text: '', facts: {} });

    expect(payload.blocks.map((block) => block.type)).toEqual(['header', 'context']);
  });

  it('masks secrets', () => {
    const payload = slackPayload({ ...ALERT, text: 'key hskey-api-abcdefghijkl-secretsecret leaked', facts: { auth: 'Bearer abcdefghijklmnop1234' } });

    expect(JSON.stringify(payload)).not.toContain('secretsecret');
    expect(JSON.stringify(payload)).not.toContain('abcdefghijklmnop1234');
  });
});
