/**
 * Build the worker's senders from configuration, for both the `needlecare worker` process and
 * an in-process worker under `npm start`. A missing SMTP or SMS setting gives a sender that
 * fails every message, so the gap shows up in the dead letters instead of silently.
 */
import { createSmtpMailer, type Mailer, unconfiguredMailer } from './mailer.ts';
import { createHttpSmsGateway, type SmsSender, unconfiguredSms } from './sms-gateway.ts';
import { createWebhookSender, type WebhookSender } from './webhooks.ts';

export interface SenderConfig {
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly smsGatewayUrl: string | undefined;
  readonly smsGatewayToken: string | undefined;
  /** Non-public webhook hosts allowed anyway (NEEDLECARE_WEBHOOK_ALLOW_HOSTS; tests). */
  readonly webhookAllowHosts?: readonly string[];
}

export interface Senders {
  readonly mailer: Mailer;
  readonly sms: SmsSender;
  readonly webhooks: WebhookSender;
  /** Which channels are not configured (for a start-up warning). */
  readonly missing: readonly string[];
  close(): void;
}

export function createSenders(config: SenderConfig): Senders {
  const missing: string[] = [];
  if (config.smtpUrl === undefined) missing.push('SMTP_URL');
  if (config.smsGatewayUrl === undefined || config.smsGatewayToken === undefined) {
    missing.push('SMS_GATEWAY_URL');
  }
  const mailer =
    config.smtpUrl === undefined
      ? unconfiguredMailer()
      : createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  const sms =
    config.smsGatewayUrl === undefined || config.smsGatewayToken === undefined
      ? unconfiguredSms()
      : createHttpSmsGateway({ url: config.smsGatewayUrl, token: config.smsGatewayToken });
  return {
    mailer,
    sms,
    webhooks: createWebhookSender({ allowHosts: config.webhookAllowHosts ?? [] }),
    missing,
    close: () => mailer.close?.(),
  };
}
