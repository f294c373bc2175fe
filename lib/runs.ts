import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { TimeZone } from 'aws-cdk-lib';
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
  underlyingFunction: lambda.IFunction;
  aggregateFunction: lambda.IFunction;
  groups: ScheduledGroup[];
  maxConcurrency: number;
  logRetention: logs.RetentionDays;
}

/**
 * Lambda errors worth another try (throttling, service faults) and the product's own transient failures (a
 * source still unavailable after the HTTP retries, a store write refused); permanent ones are recorded at once.
 */
const TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
  ...TRANSIENT_FAILURES,
];

/**
 * Step Functions runs each group: a map over the underlyings (bounded concurrency, retries with backoff,
 * each failure caught and recorded), then the aggregate step; EventBridge Scheduler starts it in the
 * market's time zone.
 */
export class ReportRuns extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedules: scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: ReportRunsProps) {
    super(scope, id);
    const analyse = new tasks.LambdaInvoke(this, 'Analyse underlying', {
      lambdaFunction: props.underlyingFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    analyse.addRetry({
      errors: TRANSIENT,
      interval: Duration.seconds(20),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const recordFailure = new sfn.Pass(this, 'Record failure', {
      parameters: { 'symbol.$': '$.symbol', status: 'failed', 'error.$': '$.error' },
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
    });
    aggregate.addRetry({ errors: TRANSIENT, interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 3 });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(map.next(aggregate)),
      timeout: Duration.minutes(30),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.schedules = props.groups
      .filter((g) => g.underlyings.length > 0)
      .map(
        (g) =>
          new scheduler.Schedule(this, `${g.name} schedule`, {
            description: `Gamma report, ${g.name}: ${g.underlyings.join(', ')}`,
            schedule: scheduler.ScheduleExpression.expression(g.expression, TimeZone.of(g.timeZone)),
            target: new targets.StepFunctionsStartExecution(this.stateMachine, {
              input: scheduler.ScheduleTargetInput.fromObject({ group: g.name, underlyings: g.underlyings }),
              retryAttempts: 2,
            }),
          }),
      );
  }
}
