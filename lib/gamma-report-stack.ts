import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RESOURCE_VARIABLES, RUN_GROUPS, settingsEnvironment, type RunGroup } from '../lambda/contract';
import { ReportAlerts } from './alerts';
import type { GammaReportConfig } from './config';
import { ReportMail } from './mail';
import { ReportFunction } from './report-function';
import { ReportRuns } from './runs';
import { ReportSite } from './site';

/** How long without a completed run before the heartbeat alarms: a weekend and a holiday for equities. */
const HEARTBEAT: Record<RunGroup, Duration> = { equity: Duration.days(4), crypto: Duration.hours(26) };

export interface GammaReportStackProps extends StackProps {
  config: GammaReportConfig;
}

/** Scheduled runs publish reports to a private bucket behind CloudFront; failures raise alarms by e-mail. */
export class GammaReportStack extends Stack {
  readonly site: ReportSite;
  readonly runs: ReportRuns;
  readonly alerts: ReportAlerts;
  readonly underlyingFunction: NodejsFunction;
  readonly aggregateFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: GammaReportStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.site = new ReportSite(this, 'Site');
    const environment = {
      [RESOURCE_VARIABLES.bucket]: this.site.bucket.bucketName,
      ...settingsEnvironment(config.settings),
    };
    // Measured: the CLI on the 19,920-contract SPX chain peaks at 134 MB RSS and takes 1.0 s on 2 cores
    // (`/usr/bin/time -f '%e s %M KB' node dist/gamma-report.js --file samples/cboe_SPX_2023-09-14.csv`).
    // A live SPX response is about 30 MB of JSON on top; 1024 MB leaves room and buys CPU (Lambda scales it).
    const underlying = new ReportFunction(this, 'Underlying', {
      handler: 'underlying',
      description: 'Fetches one chain, analyses it and publishes its report',
      environment,
      logRetention,
      memorySize: 1024,
      timeout: Duration.minutes(2),
    });
    const aggregate = new ReportFunction(this, 'Aggregate', {
      handler: 'aggregate',
      description: 'Rewrites the index page after a run and records its outcome',
      environment,
      logRetention,
      memorySize: 512,
      timeout: Duration.minutes(1),
    });
    this.underlyingFunction = underlying.fn;
    this.aggregateFunction = aggregate.fn;
    // Read, write and list the report bucket: no delete, no ACLs, nothing else.
    for (const fn of [underlying.fn, aggregate.fn]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [this.site.bucket.arnForObjects('*')],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.site.bucket.bucketArn] }),
      );
    }

    this.runs = new ReportRuns(this, 'Runs', {
      underlyingFunction: underlying.fn,
      aggregateFunction: aggregate.fn,
      maxConcurrency: config.maxConcurrency,
      logRetention,
      groups: RUN_GROUPS.map((name) => ({
        name,
        underlyings: config.groups[name].underlyings,
        expression: config.groups[name].schedule,
        timeZone: config.groups[name].timeZone,
      })),
    });

    if (config.emailFrom) {
      new ReportMail(this, 'Mail', {
        from: config.emailFrom,
        to: config.emailTo,
        sandbox: config.sesSandbox,
        sender: aggregate.fn,
        siteUrl: `https://${this.site.distribution.distributionDomainName}/`,
      });
    }

    this.alerts = new ReportAlerts(this, 'Alerts', {
      functions: [underlying.fn, aggregate.fn],
      stateMachine: this.runs.stateMachine,
      email: config.alarmEmail,
      watchEmail: config.emailFrom !== '',
      heartbeats: RUN_GROUPS.filter((g) => config.groups[g].underlyings.length > 0).map((name) => ({
        name,
        within: HEARTBEAT[name],
      })),
    });

    new CfnOutput(this, 'SiteUrl', {
      value: `https://${this.site.distribution.distributionDomainName}/`,
      description: 'The report site',
    });
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.runs.stateMachine.stateMachineArn,
      description:
        'Start a run by hand: aws stepfunctions start-execution --state-machine-arn <this> --input ...',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alerts.topic.topicArn });
  }
}
