import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from './compose';

export interface Envelope {
  from: string;
  to: string[];
}

/** Sends one email through Amazon SES v2, HTML and plain text in one message. */
export async function sendEmail(
  client: SESv2Client,
  envelope: Envelope,
  email: Email,
): Promise<string | undefined> {
  const out = await client.send(
    new SendEmailCommand({
      FromEmailAddress: envelope.from,
      Destination: { ToAddresses: envelope.to },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
        },
      },
    }),
  );
  return out.MessageId;
}
