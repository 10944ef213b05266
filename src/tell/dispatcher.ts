import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Alert, AlertKind } from './alert.js';
import type { AlertLogEntry, AlertLogRepository } from './alert-log.js';
import { DeliveryError, type Notifier } from './notifier.js';
import { redact } from './redact.js';

/** Per kind, how long after the last delivery an alert with the same key is sent again (ms); null never. */
export type ReminderIntervals = Partial<Record<AlertKind, number | null>>;

const DAY_MS = 86_400_000;

/** Kinds that describe a state lasting until a person acts are repeated daily; events are sent once. */
export const DEFAULT_REMINDERS: Readonly<Record<AlertKind, number | null>> = {
  'new-release': null,
  'new-advisory': null,
  'deadline-near': DAY_MS,
  'deadline-overdue': DAY_MS,
  'upgrade-started': null,
  'upgrade-succeeded': null,
  'upgrade-failed': null,
  'upgrade-rolled-back': null,
  'channel-stale': DAY_MS,
  'needs-person': DAY_MS,
};

export interface AlertDispatcherOptions {
  notifiers: readonly Notifier[];
  log: AlertLogRepository;
  clock: Clock;
  logger: Logger;
  /** Overrides of DEFAULT_REMINDERS; a kind left out keeps its default. */
  reminders?: ReminderIntervals;
}

interface DeliveryTarget {
  key: string;
  kind: AlertKind;
  notifier: string;
}

/**
 * The outcome of one alert at one notifier: `sent` (`reminder` when the key was delivered
 * before), `duplicate` (delivered before and no reminder due), `failed`, or `filtered` (the
 * notifier's `kinds` or `min_severity` leave it out).
 */
export type Delivery = DeliveryTarget &
  (
    | { status: 'sent'; reminder: boolean }
    | { status: 'duplicate'; lastSentAt: Date }
    | { status: 'failed'; reason: string; permanent: boolean }
    | { status: 'filtered' }
  );

/** One Delivery per alert and notifier, in the order of the alerts, then of the notifiers. */
export interface DispatchResult {
  deliveries: Delivery[];
}

/**
 * Sends alerts to every notifier that accepts them, at most once per notifier and alert key,
 * except for reminders. Notifiers run concurrently, each taking the alerts in order, so a slow or
 * failing notifier neither delays nor stops the others. A failed delivery is not recorded as sent,
 * so the next dispatch of the same alert tries again.
 *
 * NOTE: two headsup processes that dispatch the same alert at the same moment may both send it,
 * because the log is read before sending and written after.
 */
export class AlertDispatcher {
  private readonly reminders: Readonly<Record<AlertKind, number | null>>;

  constructor(private readonly options: AlertDispatcherOptions) {
    this.reminders = { ...DEFAULT_REMINDERS, ...options.reminders };
  }

  async dispatch(alerts: readonly Alert[]): Promise<DispatchResult> {
    const perNotifier = await Promise.all(this.options.notifiers.map((notifier) => this.sendAll(notifier, alerts)));

    const deliveries: Delivery[] = [];
    for (let index = 0; index < alerts.length; index++) {
      for (const results of perNotifier) deliveries.push(results[index]!);
    }
    return { deliveries };
  }

  private async sendAll(notifier: Notifier, alerts: readonly Alert[]): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const alert of alerts) deliveries.push(await this.deliver(notifier, alert));
    return deliveries;
  }

  private async deliver(notifier: Notifier, alert: Alert): Promise<Delivery> {
    const target: DeliveryTarget = { key: alert.key, kind: alert.kind, notifier: notifier.id };
    if (notifier.accepts && !notifier.accepts(alert)) return { ...target, status: 'filtered' };

    const previous = this.options.log.find(notifier.id, alert.key);
    const lastSentAt = previous?.lastSentAt ?? null;
    if (lastSentAt !== null && !this.reminderDue(alert.kind, lastSentAt)) {
      this.options.logger.debug({ notifier: notifier.id, alert: alert.key, lastSentAt }, 'alert already delivered');
      return { ...target, status: 'duplicate', lastSentAt };
    }

    return this.send(notifier, alert, target, previous);
  }

  private async send(notifier: Notifier, alert: Alert, target: DeliveryTarget, previous: AlertLogEntry | null): Promise<Delivery> {
    const { log, clock, logger } = this.options;
    const reminder = (previous?.sendCount ?? 0) > 0;

    try {
      await notifier.send(alert);
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const reason = redact(error instanceof Error ? error.message : String(error));
      log.recordFailure(notifier.id, alert.key, alert.kind, clock.now(), reason);

      const fields = { notifier: notifier.id, alert: alert.key, kind: alert.kind, permanent, reason };
      if (error instanceof DeliveryError) logger.error(fields, 'alert delivery failed');
      else logger.error({ ...fields, err: error }, 'alert delivery failed with an unexpected error');
      return { ...target, status: 'failed', reason, permanent };
    }

    log.recordSent(notifier.id, alert.key, alert.kind, clock.now());
    logger.info({ notifier: notifier.id, alert: alert.key, kind: alert.kind, reminder }, 'alert delivered');
    return { ...target, status: 'sent', reminder };
  }

  private reminderDue(kind: AlertKind, lastSentAt: Date): boolean {
    const interval = this.reminders[kind] ?? null;
    if (interval === null) return false;
    return this.options.clock.now().getTime() - lastSentAt.getTime() >= interval;
  }
}
