export { ALERT_KINDS, SEVERITIES, compareSeverity, matchesFilter, type Alert, type AlertFilter, type AlertKind, type Severity } from './alert.js';
export { ALERT_LOG_MIGRATION_SQL, AlertLogRepository, type AlertLogEntry } from './alert-log.js';
export { alertsConfigSchema, buildNotifiers, type AlertsSettings } from './config.js';
export { AlertDispatcher, DEFAULT_REMINDERS, type AlertDispatcherOptions, type Delivery, type DispatchResult, type ReminderIntervals } from './dispatcher.js';
export { DEFAULT_NOTIFY_TIMEOUT_MS, DeliveryError, type Notifier, type NotifierDeps } from './notifier.js';
export { redact, redactAlert } from './redact.js';
export { SlackNotifier, slackPayload, type SlackNotifierOptions, type SlackPayload } from './slack/index.js';
export { WebhookNotifier, webhookPayload, type WebhookNotifierOptions, type WebhookPayload } from './webhook/index.js';
export { ALERT_OUTBOX_MIGRATION_SQL, AlertOutbox, OUTBOX_MAX_AGE_MS } from './outbox.js';
