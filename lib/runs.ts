import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { TRANSIENT_FAILURES, type RunGroup } from '../lambda/contract';

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
  maxConcurrency: number;
  logRetention: logs.RetentionDays;
}

/** The longest a run may take, map and aggregate step included; the heartbeat allows for it. */
export const RUN_TIMEOUT = Duration.minutes(30);

/**
 * Lambda's own faults and throttling, which a new invocation usually clears (`retryOnServiceExceptions`'s
 * list plus throttling).
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
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
  return sfn.Timeout.duration(Duration.seconds((fn.timeout ?? Duration.seconds(3)).toSeconds() + 30));
}

function retryTransient(task: sfn.TaskStateBase, productFailures: string[]) {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  if (productFailures.length > 0) {
    // A source still failing after the HTTP helper's own retries, or a store write refused: wait longer.
    task.addRetry({
      errors: productFailures,
      interval: Duration.seconds(20),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });
  }
  task.addRetry({ errors: TIMEOUTS, interval: Duration.seconds(5), maxAttempts: 1 });
}

/**
 * Step Functions runs each group: a map over the underlyings (bounded concurrency, retries with backoff,
 * each failure caught and recorded), then the aggregate step; EventBridge Scheduler starts it in the
 * market's time zone, in a schedule group of its own (so its metrics are this stack's), and parks a run it
 * could not start in an encrypted dead-letter queue.
 */
export class ReportRuns extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedules: scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: ReportRunsProps) {
    super(scope, id);
    const analyse = new tasks.LambdaInvoke(this, 'Analyse underlying', {
      lambdaFunction: props.underlyingFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: taskTimeout(props.underlyingFunction),
    });
    retryTransient(analyse, TRANSIENT_FAILURES);
    // Only the failure's name goes on: a Lambda error's Cause holds its stack trace, and 500 of those would
    // pass the 256 KB state limit. The underlying function logs the whole cause itself.
    const recordFailure = new sfn.Pass(this, 'Record failure', {
      parameters: { 'symbol.$': '$.symbol', status: 'failed', 'error.$': '$.error.Error' },
    });
    analyse.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const map = new sfn.Map(this, 'Each underlying', {
      itemsPath: '$.underlyings',
      itemSelector: { 'symbol.$': '$$.Map.Item.Value' },
      maxConcurrency: props.maxConcurrency,
      resultPath: '$.results',
    });
    map.itemProcessor(analyse);

    const aggregate = new tasks.LambdaInvoke(this, 'Publish index', {
      lambdaFunction: props.aggregateFunction,
      payload: sfn.TaskInput.fromObject({ 'group.$': '$.group', 'results.$': '$.results' }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: taskTimeout(props.aggregateFunction),
    });
    // The aggregate step raises no failure of the product's own: its S3 errors are the SDK's, after its retries.
    retryTransient(aggregate, []);

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
          description: `Gamma report, ${g.name}: ${g.underlyings.join(', ')}`,
          scheduleGroup: this.scheduleGroup,
          schedule: scheduler.ScheduleExpression.expression(g.expression, TimeZone.of(g.timeZone)),
          target: new targets.StepFunctionsStartExecution(this.stateMachine, {
            input: scheduler.ScheduleTargetInput.fromObject({ group: g.name, underlyings: g.underlyings }),
            retryAttempts: 2,
            // Give up within the hour, so the dead-letter alarm reaches you the same morning.
            maxEventAge: Duration.hours(1),
            deadLetterQueue: this.deadLetterQueue,
          }),
        }),
    );
  }
}
