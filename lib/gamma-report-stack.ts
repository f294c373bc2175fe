import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RESOURCE_VARIABLES, RUN_GROUPS, settingsEnvironment } from '../lambda/contract';
import { ReportAlerts } from './alerts';
import { BUCKET_ACCESS } from './bucket-access';
import { UNDERLYING_MEMORY_MB, type GammaReportConfig } from './config';
import { ReportMail } from './mail';
import { ReportFunction } from './report-function';
import {
  AGGREGATE_TIMEOUT,
  MAX_SECONDS_PER_UNDERLYING,
  ReportRuns,
  RUN_RESULTS_PREFIX,
  runInput,
  RUN_TIMEOUT,
} from './runs';
import { ReportSite } from './site';

export interface GammaReportStackProps extends StackProps {
  config: GammaReportConfig;
}

/** Scheduled runs publish reports to a private bucket behind CloudFront; failures raise alarms by e-mail. */
export class GammaReportStack extends Stack {
  readonly site: ReportSite;
  readonly runs: ReportRuns;
  readonly alerts: ReportAlerts;
  readonly mail: ReportMail | undefined;
  readonly underlyingFunction: NodejsFunction;
  readonly aggregateFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: GammaReportStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.site = new ReportSite(this, 'Site', {
      domainName: config.domainName,
      certificateArn: config.certificateArn,
    });
    const environment = {
      [RESOURCE_VARIABLES.bucket]: this.site.bucket.bucketName,
      ...settingsEnvironment(config.settings),
    };
    // Measured: the CLI on the 19,920-contract SPX chain peaks at 134 MB RSS and takes 1.0 s on 2 cores
    // (`/usr/bin/time -f '%e s %M KB' node dist/gamma-report.js --file samples/cboe_SPX_2023-09-14.csv`).
    // A live SPX response is about 30 MB of JSON on top; 1024 MB leaves room and buys CPU (Lambda scales it).
    // One invocation analyses a batch, one underlying after the other: its timeout allows each its most.
    const underlying = new ReportFunction(this, 'Underlying', {
      handler: 'underlying',
      description: 'Fetches a batch of chains, analyses each and publishes its report',
      environment,
      logRetention,
      memorySize: UNDERLYING_MEMORY_MB,
      timeout: Duration.seconds(config.batchSize * MAX_SECONDS_PER_UNDERLYING),
    });
    const aggregate = new ReportFunction(this, 'Aggregate', {
      handler: 'aggregate',
      description: 'Rewrites the index page after a run and records its outcome',
      environment,
      logRetention,
      memorySize: 512,
      timeout: AGGREGATE_TIMEOUT,
    });
    // Each invocation paces its requests to a venue at the venue's rate ÷ the map's concurrency, so the run as a
    // whole stays under the rate (lambda/live/pace.ts).
    underlying.fn.addEnvironment(RESOURCE_VARIABLES.concurrency, String(config.maxConcurrency));
    this.underlyingFunction = underlying.fn;
    this.aggregateFunction = aggregate.fn;
    // Each function reads and writes only the keys it uses (lib/bucket-access.ts); no delete, no ACLs. Both
    // list the bucket, which also lets S3 answer a missing key with 404 rather than 403.
    for (const [fn, access] of [
      [underlying.fn, BUCKET_ACCESS.underlying],
      [aggregate.fn, BUCKET_ACCESS.aggregate],
    ] as const) {
      const objects = (patterns: readonly string[]) => patterns.map((p) => this.site.bucket.arnForObjects(p));
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(access.read) }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(access.write) }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.site.bucket.bucketArn] }),
      );
    }

    const scheduled = RUN_GROUPS.filter((g) => config.groups[g].underlyings.length > 0);
    this.runs = new ReportRuns(this, 'Runs', {
      underlyingFunction: underlying.fn,
      aggregateFunction: aggregate.fn,
      maxConcurrency: config.maxConcurrency,
      batchSize: config.batchSize,
      toleratedFailurePercent: config.toleratedFailurePercent,
      logRetention,
      groups: scheduled.map((name) => ({
        name,
        underlyings: config.groups[name].underlyings,
        expression: config.groups[name].schedule,
        timeZone: config.groups[name].timeZone,
      })),
    });

    // The aggregate step reads the map's results, and nothing else, from the runs bucket.
    aggregate.fn.addEnvironment(RESOURCE_VARIABLES.runsBucket, this.runs.bucket.bucketName);
    aggregate.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.runs.bucket.arnForObjects(`${RUN_RESULTS_PREFIX}/*`)],
      }),
    );

    this.mail = config.emailFrom
      ? new ReportMail(this, 'Mail', {
          from: config.emailFrom,
          to: config.emailTo,
          sandbox: config.sesSandbox,
          sender: aggregate.fn,
          siteUrl: this.site.url,
        })
      : undefined;

    this.alerts = new ReportAlerts(this, 'Alerts', {
      functions: [underlying.fn, aggregate.fn],
      stateMachine: this.runs.stateMachine,
      runTimeout: RUN_TIMEOUT,
      scheduleGroup: this.runs.scheduleGroup,
      deadLetterQueue: this.runs.deadLetterQueue,
      email: config.alarmEmail,
      mail: this.mail,
      monthlyBudgetUsd: config.monthlyBudgetUsd,
      heartbeats: scheduled.map((name) => ({
        name,
        longestGapHours: config.groups[name].longestGapHours,
        schedule: `${config.groups[name].schedule} ${config.groups[name].timeZone}`,
      })),
    });
    if (!config.alarmEmail) {
      Annotations.of(this).addWarningV2(
        'market-gamma:alarmEmail',
        'alarmEmail is empty: the alarms notify an SNS topic nobody is subscribed to. ' +
          'Deploy with -c alarmEmail=you@example.com to receive them.',
      );
    }

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The report site' });
    if (config.domainName) {
      new CfnOutput(this, 'DistributionDomainName', {
        value: this.site.distribution.distributionDomainName,
        description: `Point ${config.domainName} here: a CNAME, or a Route 53 alias record`,
      });
    }
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'RunsBucketName', {
      value: this.runs.bucket.bucketName,
      description: `The runs' watchlists and results (${RUN_RESULTS_PREFIX}/<map run>/manifest.json), private`,
    });
    new CfnOutput(this, 'UnderlyingLogGroup', {
      value: underlying.logGroup.logGroupName,
      description: 'Per-underlying function logs: aws logs tail <this> --follow',
    });
    new CfnOutput(this, 'AggregateLogGroup', {
      value: aggregate.logGroup.logGroupName,
      description: 'Aggregate step logs ("underlying failed", "email failed", "run finished")',
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.runs.stateMachine.stateMachineArn,
      description: `Start a run by hand: aws stepfunctions start-execution --state-machine-arn <this> --input '${JSON.stringify(runInput('equity'))}'`,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alerts.topic.topicArn });
  }
}
