import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { RunGroup } from '../lambda/contract';
import { deployCall } from './deploy-call';

/** One scheduled run: which underlyings and when. */
export interface ScheduledGroup {
  name: RunGroup;
  underlyings: string[];
  /** Scheduler expression, e.g. cron(30 8 ? * MON-FRI *). */
  expression: string;
  timeZone: string;
}

export interface ReportRunsProps {
  underlyingFunction: lambda.Function;
  aggregateFunction: lambda.Function;
  /** The groups that run: each gets a schedule. */
  groups: ScheduledGroup[];
  /** Batches of underlyings analysed at once within a run. */
  maxConcurrency: number;
  /** Underlyings one invocation of the underlying function analyses, one after the other. */
  batchSize: number;
  /** The share of batches that may fail (after their retries) before the run itself fails. */
  toleratedFailurePercent: number;
  logRetention: logs.RetentionDays;
}

/**
 * What a run's length is estimated from: one underlying takes about 3 s in Lambda, fetch, analysis and
 * publishing together (docs/performance.md). The synth refuses a group that would not fit the run at this pace.
 */
export const SECONDS_PER_UNDERLYING = 3;

/**
 * The most one underlying may take: the HTTP helper's 90 s deadline on its download, plus analysis and
 * publishing. A batch's function timeout is this times the batch size.
 */
export const MAX_SECONDS_PER_UNDERLYING = 120;

/** The largest batch whose worst case fits Lambda's 15-minute ceiling on a function's timeout. */
export const MAX_BATCH_SIZE = Math.floor(900 / MAX_SECONDS_PER_UNDERLYING);

/**
 * The most underlyings one group may hold. The distributed map has no limit of its own; this one keeps the
 * watchlist the stack writes at deploy far within what a CloudFormation custom resource carries, and is twice
 * the whole optionable US universe (about 5,000 names), so a larger list is a mistake, not a need.
 */
export const MAX_UNDERLYINGS = 10_000;

/**
 * A throttled invocation (the account's Lambda concurrency is used up elsewhere) waits 10, 20, 40, … s, at
 * most 5 minutes, each wait drawn at random below that (full jitter), for up to 8 retries.
 */
const THROTTLE_RETRY = { intervalSeconds: 10, backoffRate: 2, maxDelaySeconds: 300, maxAttempts: 8 };

/** The longest one batch can spend waiting out throttling: the sum of the retries' waits at their ceiling. */
export const THROTTLE_WAIT_SECONDS = Array.from({ length: THROTTLE_RETRY.maxAttempts }, (_, i) =>
  Math.min(THROTTLE_RETRY.intervalSeconds * THROTTLE_RETRY.backoffRate ** i, THROTTLE_RETRY.maxDelaySeconds),
).reduce((a, b) => a + b, 0);

/**
 * The aggregate step's function timeout: it reads one summary per underlying (5,000 at most expected) and
 * writes the screener.
 */
export const AGGREGATE_TIMEOUT = Duration.minutes(4);

/** A task's wait for its function: the function's timeout and 30 s for the invocation itself. */
const INVOCATION_SECONDS = 30;

/** The aggregate step at its longest: two attempts (one retry after a timeout) and the wait between them. */
const AGGREGATE_SECONDS = 2 * (AGGREGATE_TIMEOUT.toSeconds() + INVOCATION_SECONDS) + 5;

/**
 * The longest a run may take, map and aggregate step included; the heartbeat allows for it. Two hours: 5,000
 * underlyings at the default 4 at once take 5,000 × 3 s / 4 ≈ 63 minutes, a batch may wait up to
 * THROTTLE_WAIT_SECONDS (about 20 minutes) for Lambda capacity, and the aggregate step takes at most about
 * 9 minutes; the remaining half hour is headroom for underlyings slower than the estimate.
 */
export const RUN_TIMEOUT = Duration.hours(2);

/** What a run leaves for the map: the run less one batch's throttling waits and the aggregate step. */
export const MAP_BUDGET_SECONDS = RUN_TIMEOUT.toSeconds() - THROTTLE_WAIT_SECONDS - AGGREGATE_SECONDS;

/** How long a run's map takes for `count` underlyings at `concurrency` at once, at the estimated pace. */
export function estimatedMapSeconds(count: number, concurrency: number): number {
  return (count * SECONDS_PER_UNDERLYING) / concurrency;
}

/** Where in the runs bucket the map writes each run's results (`results/<map run id>/manifest.json`, …). */
export const RUN_RESULTS_PREFIX = 'results';

/** The distributed map's label: it names the map's runs and child executions. */
export const MAP_LABEL = 'Underlyings';

/** The runs bucket's key of a group's watchlist: one symbol a line, read by the map's item reader. */
export function watchlistKey(group: RunGroup): string {
  return `watchlists/${group}.csv`;
}

/** The body of a group's watchlist object: one symbol a line, no header (the reader names the column). */
export function watchlistBody(underlyings: readonly string[]): string {
  return underlyings.join('\n');
}

/**
 * Lambda's own faults, which a new invocation usually clears (`retryOnServiceExceptions`'s list), throttling
 * aside.
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

/**
 * A function that ran out of time (`Sandbox.Timedout`), or an invocation Step Functions gave up waiting for
 * (`States.Timeout`, which matches only because every task has a timeout). One more try: a hung connection
 * or a slow cold start clears, a chain too big for the time would only fail again.
 */
const TIMEOUTS = ['Sandbox.Timedout', 'States.Timeout'];

/**
 * The task's timeout: the function's own plus time for the invocation itself, so Step Functions never gives
 * up on a function that is still running (a retry would then publish alongside it).
 */
function taskTimeout(fn: lambda.Function): sfn.Timeout {
  return sfn.Timeout.duration(
    Duration.seconds((fn.timeout ?? Duration.seconds(3)).toSeconds() + INVOCATION_SECONDS),
  );
}

/**
 * Retries of what can clear by itself: Lambda's faults (quickly), throttling (long enough to wait out a busy
 * account) and a timeout (once). An underlying's own failure never reaches here: the function records it in
 * its batch's results.
 */
function retryTransient(task: sfn.TaskStateBase) {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({
    errors: ['Lambda.TooManyRequestsException'],
    interval: Duration.seconds(THROTTLE_RETRY.intervalSeconds),
    backoffRate: THROTTLE_RETRY.backoffRate,
    maxDelay: Duration.seconds(THROTTLE_RETRY.maxDelaySeconds),
    maxAttempts: THROTTLE_RETRY.maxAttempts,
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({ errors: TIMEOUTS, interval: Duration.seconds(5), maxAttempts: 1 });
}

/** The group's watchlist, read from the runs bucket; the state machine may read exactly these keys. */
class WatchlistReader extends sfn.S3CsvItemReader {
  constructor(
    private readonly runs: s3.IBucket,
    private readonly keys: string[],
  ) {
    super({
      bucket: runs,
      // The schedule's input names the group's key.
      key: sfn.JsonPath.stringAt('$.watchlist'),
      csvHeaders: sfn.CsvHeaders.use(['symbol']),
    });
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: this.keys.map((k) => this.runs.arnForObjects(k)),
      }),
    ];
  }
}

/** The map's results, written under one prefix of the runs bucket; the state machine may write only there. */
class ResultsWriter extends sfn.ResultWriterV2 {
  constructor(private readonly runs: s3.IBucket) {
    super({
      bucket: runs,
      prefix: RUN_RESULTS_PREFIX,
      // Each batch's input (its symbols) is kept beside its error, so a failed batch still names them.
      writerConfig: new sfn.WriterConfig({
        transformation: sfn.Transformation.NONE,
        outputType: sfn.OutputType.JSON,
      }),
    });
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        // What Step Functions documents for a result writer (IAM policies for ResultWriter).
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.runs.arnForObjects(`${RUN_RESULTS_PREFIX}/*`)],
      }),
    ];
  }
}

/**
 * Step Functions runs each group: a distributed map reads the group's watchlist from S3 and runs the
 * underlying function on batches of it (bounded concurrency, retries with backoff, a tolerated share of
 * failed batches), writes every batch's results to S3, then the aggregate step reads them and publishes the
 * index. Neither the schedule's input nor the run's state carries the list. EventBridge Scheduler starts it in
 * the market's time zone, in a schedule group of its own (so its metrics are this stack's), and parks a run it
 * could not start in an encrypted dead-letter queue.
 */
export class ReportRuns extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The runs' own files, private: the watchlists (written at deploy) and the map's results. */
  readonly bucket: s3.Bucket;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedules: scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: ReportRunsProps) {
    super(scope, id);
    // ResultWriterV2 renders only under its feature flag; set here, before any state exists.
    this.node.setContext(STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Kept with the report bucket when the stack goes (README, "Remove everything").
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { prefix: `${RUN_RESULTS_PREFIX}/`, expiration: Duration.days(props.logRetention) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    for (const g of props.groups) {
      const key = watchlistKey(g.name);
      deployCall(this, `${g.name} watchlist`, {
        call: {
          service: 'S3',
          action: 'putObject',
          parameters: {
            Bucket: this.bucket.bucketName,
            Key: key,
            Body: watchlistBody(g.underlyings),
            ContentType: 'text/csv; charset=utf-8',
          },
          physicalResourceId: cr.PhysicalResourceId.of(key),
        },
        statements: [
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(key)] }),
        ],
      });
    }

    const analyse = new tasks.LambdaInvoke(this, 'Analyse batch', {
      lambdaFunction: props.underlyingFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: taskTimeout(props.underlyingFunction),
    });
    retryTransient(analyse);

    const map = new sfn.DistributedMap(this, 'Each underlying', {
      itemReader: new WatchlistReader(
        this.bucket,
        props.groups.map((g) => watchlistKey(g.name)),
      ),
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: props.batchSize }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercent,
      resultWriterV2: new ResultsWriter(this.bucket),
      resultPath: '$.map',
      label: MAP_LABEL,
    });
    map.itemProcessor(analyse);

    const aggregate = new tasks.LambdaInvoke(this, 'Publish index', {
      lambdaFunction: props.aggregateFunction,
      payload: sfn.TaskInput.fromObject({
        'group.$': '$.group',
        'manifest.$': '$.map.ResultWriterDetails.Key',
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: taskTimeout(props.aggregateFunction),
    });
    retryTransient(aggregate);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(map.next(aggregate)),
      timeout: RUN_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.schedules = props.groups.map(
      (g) =>
        new scheduler.Schedule(this, `${g.name} schedule`, {
          description: scheduleDescription(g),
          scheduleGroup: this.scheduleGroup,
          schedule: scheduler.ScheduleExpression.expression(g.expression, TimeZone.of(g.timeZone)),
          target: new targets.StepFunctionsStartExecution(this.stateMachine, {
            input: scheduler.ScheduleTargetInput.fromObject(runInput(g.name)),
            retryAttempts: 2,
            // Give up within the hour, so the dead-letter alarm reaches you the same morning.
            maxEventAge: Duration.hours(1),
            deadLetterQueue: this.deadLetterQueue,
          }),
        }),
    );
  }
}

/** What a run of a group starts with: its name and its watchlist's key, never the list itself. */
export function runInput(group: RunGroup): { group: RunGroup; watchlist: string } {
  return { group, watchlist: watchlistKey(group) };
}

/** The schedule's description (Scheduler allows 512 characters): the group and how many it watches. */
function scheduleDescription(g: ScheduledGroup): string {
  const n = g.underlyings.length;
  return `Gamma report, ${g.name}: ${n} ${n === 1 ? 'underlying' : 'underlyings'}`;
}
