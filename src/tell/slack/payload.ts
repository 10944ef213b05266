import type { Alert, Severity } from '../alert.js';
import { redactAlert } from '../redact.js';

/**
 * Limits of Slack's Block Kit (https://api.slack.com/reference/block-kit/blocks): header text
 * 150 characters, section text 3000, each field 2000, at most 10 fields per section, at most 50
 * blocks per message.
 */
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const FIELDS_PER_SECTION = 10;
/** Sections of facts per message; with the header, text and context blocks this stays far below 50. */
const FACT_SECTIONS_MAX = 4;

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] };

/** The body of a Slack incoming-webhook message: `text` is the fallback for notifications. */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

const SEVERITY_EMOJI: Record<Severity, string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

/** Builds the Slack message of an alert, with secrets masked and every text within Slack's limits. */
export function slackPayload(alert: Alert): SlackPayload {
  const safe = redactAlert(alert);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${SEVERITY_EMOJI[safe.severity]} ${safe.title}`, HEADER_MAX), emoji: true } },
  ];

  if (safe.text.trim() !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(safe.text, SECTION_TEXT_MAX) } });

  const facts = Object.entries(safe.facts);
  const shown = facts.slice(0, FIELDS_PER_SECTION * FACT_SECTIONS_MAX);
  for (let start = 0; start < shown.length; start += FIELDS_PER_SECTION) {
    const fields = shown.slice(start, start + FIELDS_PER_SECTION).map(([name, value]) => factField(name, value));
    blocks.push({ type: 'section', fields });
  }

  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: contextLine(safe, facts.length - shown.length) }] });

  return { text: mrkdwn(`${severityLabel(safe.severity)}: ${safe.title}`, SECTION_TEXT_MAX), blocks };
}

function factField(name: string, value: string | number | null): TextObject {
  const shown = value === null ? '_none_' : escapeMrkdwn(String(value));
  return { type: 'mrkdwn', text: truncateEscaped(`*${escapeMrkdwn(name)}*\n${shown}`, FIELD_TEXT_MAX) };
}

function contextLine(alert: Alert, hiddenFacts: number): string {
  const parts = ['headsup', alert.severity, alert.kind];
  if (alert.instance !== null) parts.push(`instance ${alert.instance}`);
  parts.push(alert.at.toISOString());
  if (hiddenFacts > 0) parts.push(`${hiddenFacts} more facts not shown`);
  return mrkdwn(parts.join(' · '), SECTION_TEXT_MAX);
}

function severityLabel(severity: Severity): string {
  return severity[0]!.toUpperCase() + severity.slice(1);
}

function mrkdwn(text: string, max: number): string {
  return truncateEscaped(escapeMrkdwn(text), max);
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Truncates escaped text without leaving half an entity such as `&am` at the cut. */
function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}
