import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { RESOURCE_VARIABLES } from '../lambda/contract';

export interface ReportMailProps {
  from: string;
  to: string[];
  /** Recipients are verified identities too, as the SES sandbox requires. */
  sandbox: boolean;
  /** Granted permission to send as these identities, and nothing else in SES. */
  sender: lambda.Function;
  siteUrl: string;
}

/** SES e-mail identities for the daily email, and the aggregate function's right to send with them. */
export class ReportMail extends Construct {
  readonly identities: ses.EmailIdentity[];

  constructor(scope: Construct, id: string, props: ReportMailProps) {
    super(scope, id);
    const addresses = [props.from, ...(props.sandbox ? props.to.filter((a) => a !== props.from) : [])];
    this.identities = addresses.map(
      (address, i) =>
        new ses.EmailIdentity(this, i === 0 ? 'Sender' : `Recipient${i}`, {
          identity: ses.Identity.email(address),
        }),
    );
    for (const identity of this.identities) identity.grantSendEmail(props.sender);
    props.sender.addEnvironment(RESOURCE_VARIABLES.emailFrom, props.from);
    props.sender.addEnvironment(RESOURCE_VARIABLES.emailTo, props.to.join(','));
    props.sender.addEnvironment(RESOURCE_VARIABLES.siteUrl, props.siteUrl);
  }
}
