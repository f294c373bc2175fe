import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { RESOURCE_VARIABLES } from '../lambda/contract';

export interface ReportMailProps {
  from: string;
  to: string[];
  /** Recipients are verified identities too, as the SES sandbox requires. */
  sandbox: boolean;
  /** Granted permission to send from `from` through these identities, and nothing else in SES. */
  sender: lambda.Function;
  siteUrl: string;
}

/** The SES auto-tag naming the configuration set a message went through: the dimension of its event counts. */
const CONFIGURATION_SET_TAG = 'ses:configuration-set';

/**
 * SES e-mail identities for the daily email, the aggregate function's right to send from the configured
 * address, and a configuration set that counts bounces and complaints. The set is the sender identity's
 * default, so every message goes through it without the function naming it. Counting this stack's events
 * rather than watching the account-level `Reputation.*` rates: those are rolling rates over the whole
 * account's mail, which one message a day barely moves and other senders in the account blur; a count
 * says "the daily email bounced" the day it happens.
 */
export class ReportMail extends Construct {
  readonly identities: ses.EmailIdentity[];
  readonly configurationSet: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: ReportMailProps) {
    super(scope, id);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // SES keeps the set's own bounce and complaint rates as well, at no cost, for the console.
      reputationMetrics: true,
    });
    this.configurationSet.addEventDestination('Counts', {
      destination: ses.EventDestination.cloudWatchDimensions([
        {
          name: CONFIGURATION_SET_TAG,
          source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: this.configurationSet.configurationSetName,
        },
      ]),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    const addresses = [props.from, ...(props.sandbox ? props.to.filter((a) => a !== props.from) : [])];
    this.identities = addresses.map(
      (address, i) =>
        new ses.EmailIdentity(this, i === 0 ? 'Sender' : `Recipient${i}`, {
          identity: ses.Identity.email(address),
          ...(i === 0 ? { configurationSet: this.configurationSet } : {}),
        }),
    );
    const stack = Stack.of(this);
    // SES checks the call against the sender's identity, the configuration set and, in the sandbox, each
    // recipient's identity; the condition keeps the function to the one From address whatever it asks.
    props.sender.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          ...this.identities.map((identity) =>
            stack.formatArn({
              service: 'ses',
              resource: 'identity',
              resourceName: identity.emailIdentityName,
            }),
          ),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': props.from } },
      }),
    );
    props.sender.addEnvironment(RESOURCE_VARIABLES.emailFrom, props.from);
    props.sender.addEnvironment(RESOURCE_VARIABLES.emailTo, props.to.join(','));
    props.sender.addEnvironment(RESOURCE_VARIABLES.siteUrl, props.siteUrl);
  }

  /** Messages of the daily email that bounced (`Bounce`) or that a recipient marked as spam (`Complaint`). */
  metricEvents(event: 'Bounce' | 'Complaint'): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: event,
      dimensionsMap: { [CONFIGURATION_SET_TAG]: this.configurationSet.configurationSetName },
      statistic: 'Sum',
      period: Duration.hours(1),
    });
  }
}
