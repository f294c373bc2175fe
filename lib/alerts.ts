import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { METRICS, type RunGroup } from '../lambda/contract';
import { deployCall } from './deploy-call';
import type { ReportMail } from './mail';

/**
 * A datapoint the stack itself puts, per group, when it is deployed or a group's schedule changes. The
 * heartbeat counts it like a completed run, so a fresh deploy is not "late" before its first scheduled run;
 * if that run then never completes, the heartbeat fires one longest gap later, as for any missed run.
 */
const DEPLOYED_METRIC = 'StackDeployed';

/** The heartbeat's resolution: the alarm looks at this many hourly sums. */
const HOUR = Duration.hours(1);
/** CloudWatch evaluates at most seven days of datapoints. */
const MAX_WINDOW_HOURS = 7 * 24;

export interface HeartbeatGroup {
  name: RunGroup;
  /** The longest time between two scheduled runs, in hours (lib/schedule.ts). */
  longestGapHours: number;
  /** The schedule as deployed: a change re-starts the heartbeat. */
  schedule: string;
}

export interface ReportAlertsProps {
  /** Watched for throttling. */
  functions: lambda.IFunction[];
  stateMachine: sfn.IStateMachine;
  /** The longest one run may take. */
  runTimeout: Duration;
  scheduleGroup: scheduler.IScheduleGroup;
  deadLetterQueue: sqs.IQueue;
  heartbeats: HeartbeatGroup[];
  /** Subscribed to the topic when set. */
  email: string;
  /** The daily email, when it is on: its failed sends, bounces and complaints alarm. */
  mail?: ReportMail;
  /** An AWS Budget on the account's monthly cost notifies the topic; 0 for none. */
  monthlyBudgetUsd: number;
}

/**
 * The hours of no completed run after which a group's heartbeat fires: the longest gap between its runs,
 * plus the run's own time (a run completes up to `runTimeout` after it starts), plus an hour because the
 * alarm reads whole clock hours, plus half an hour for the metric to arrive. Weekends show in the gap
 * (Friday 08:30 to Monday 08:30 New York is up to 73 hours); NYSE holidays do not, because an equity run
 * still starts and completes on a holiday (each underlying is skipped), so it counts.
 */
export function heartbeatHours(longestGapHours: number, runTimeout: Duration): number {
  return Math.ceil(longestGapHours + runTimeout.toHours({ integral: false }) + 1.5);
}

/**
 * Every failure that needs a person reaches one SNS topic. What alarms, and what deliberately does not:
 * - a run that failed, timed out or was aborted (three metrics of the state machine, one alarm each);
 * - an underlying that failed after Step Functions' retries, in a run that otherwise completed, and a daily
 *   email SES refused (the aggregate step's metrics, per group);
 * - no run completed for longer than the schedule allows (the heartbeat, per group);
 * - a scheduled run that never started: EventBridge Scheduler kept failing to start the execution until its
 *   retries ran out, and parked the event in the dead-letter queue (or could not even do that);
 * - throttling of either function (the account's concurrency is used up elsewhere);
 * - bounces and complaints of the daily email;
 * - optionally, the account's monthly cost.
 * Not alarmed: Lambda `Errors` (each failed underlying already counts in UnderlyingFailures, and a transient
 * error that Step Functions retries away would page you for nothing) and Scheduler target errors taken one by
 * one (a retry usually clears them; those it does not end in the dead-letter queue).
 */
export class ReportAlerts extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The deploy-time call that puts the heartbeat's first datapoint, when any group has a heartbeat. */
  heartbeatStart: cr.AwsCustomResource | undefined;

  constructor(scope: Construct, id: string, props: ReportAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Market gamma report alarms',
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      // Named for the stack, so the mail's subject says where it comes from.
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${stack.stackName}-${alarmId}`,
        ...alarmProps,
      });
      alarm.addAlarmAction(notify);
      this.alarms.push(alarm);
      return alarm;
    };
    /** Alarm on any occurrence: a sum (or a maximum) of 1 or more in one period. */
    const onAny = (alarmId: string, alarmDescription: string, metric: cloudwatch.IMetric) =>
      add(alarmId, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const groupMetric = (metricName: string, group: RunGroup, period = Duration.minutes(5)) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { [METRICS.dimension]: group },
        period,
        statistic: 'Sum',
      });

    const sm = props.stateMachine;
    onAny(
      'ExecutionsFailed',
      'A report run failed; open it in the Step Functions console.',
      sm.metricFailed(fiveMinutes),
    );
    onAny(
      'ExecutionsTimedOut',
      `A report run took longer than ${props.runTimeout.toMinutes()} minutes and was stopped.`,
      sm.metricTimedOut(fiveMinutes),
    );
    onAny('ExecutionsAborted', 'A report run was stopped before it finished.', sm.metricAborted(fiveMinutes));

    for (const g of props.heartbeats) {
      onAny(
        `UnderlyingFailures-${g.name}`,
        `At least one ${g.name} underlying failed in a run; the log line "underlying failed" names it.`,
        groupMetric(METRICS.underlyingFailures, g.name),
      );
      if (props.mail) {
        onAny(
          `EmailFailures-${g.name}`,
          `The daily email of a ${g.name} run was not sent; the log line "email failed" gives the SES error.`,
          groupMetric(METRICS.emailFailures, g.name),
        );
      }
    }
    this.addHeartbeats(props, add, groupMetric);

    onAny(
      'ScheduleDeadLetters',
      'A scheduled run never started: EventBridge Scheduler could not start the execution within its retries. ' +
        'The event and its error are in the dead-letter queue; delete the message once handled.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
    );
    onAny(
      'ScheduleDeadLetterFailures',
      'A scheduled run never started and EventBridge Scheduler could not even park it in the dead-letter queue.',
      props.scheduleGroup.metricFailedToBeSentToDLQ(undefined, fiveMinutes),
    );
    props.functions.forEach((fn, i) =>
      onAny(
        `Throttles${i}`,
        `Lambda throttled ${fn.node.path}: the account's concurrency is used up; Step Functions retries it.`,
        fn.metricThrottles(fiveMinutes),
      ),
    );
    if (props.mail) {
      onAny(
        'EmailBounces',
        'A daily email bounced: a recipient address is wrong or its mailbox refuses it. SES suspends accounts with many bounces.',
        props.mail.metricEvents('Bounce'),
      );
      onAny(
        'EmailComplaints',
        'A recipient marked the daily email as spam. SES suspends accounts with many complaints.',
        props.mail.metricEvents('Complaint'),
      );
    }

    this.allowPublish(
      'AlarmsOfThisStack',
      'cloudwatch',
      this.alarms.map((a) => a.alarmArn),
    );
    if (props.monthlyBudgetUsd > 0) this.addBudget(props.monthlyBudgetUsd);
  }

  /**
   * The topic policy enforceSSL creates replaces SNS's default one, so it must say who may publish: an AWS
   * service, for this account and only from the named resources of this stack.
   */
  private allowPublish(sid: string, service: string, sourceArns: string | string[]) {
    return this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(`${service}.amazonaws.com`)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': sourceArns },
        },
      }),
    );
  }

  /**
   * Per group, an alarm when neither a completed run nor the deploy marker shows in the window: the sum of
   * both over every hour of it is below 1. Missing data counts as none.
   */
  private addHeartbeats(
    props: ReportAlertsProps,
    add: (id: string, p: cloudwatch.AlarmProps) => cloudwatch.Alarm,
    groupMetric: (name: string, group: RunGroup, period?: Duration) => cloudwatch.Metric,
  ) {
    const watched = props.heartbeats.filter((g) => {
      const hours = heartbeatHours(g.longestGapHours, props.runTimeout);
      if (hours <= MAX_WINDOW_HOURS) return true;
      Annotations.of(this).addWarningV2(
        'market-gamma:heartbeat',
        `No heartbeat alarm for the ${g.name} group: its runs are up to ${g.longestGapHours} hours apart, ` +
          `and CloudWatch cannot watch for a gap longer than ${MAX_WINDOW_HOURS} hours.`,
      );
      return false;
    });
    if (watched.length === 0) return;
    const start = (this.heartbeatStart = deployCall(this, 'HeartbeatStart', {
      call: {
        service: 'CloudWatch',
        action: 'putMetricData',
        parameters: {
          Namespace: METRICS.namespace,
          MetricData: watched.map((g) => ({
            MetricName: DEPLOYED_METRIC,
            Dimensions: [{ Name: METRICS.dimension, Value: g.name }],
            Value: 1,
            Unit: 'Count',
          })),
        },
        // A new group or a changed schedule changes the call, so CloudFormation makes it again.
        physicalResourceId: cr.PhysicalResourceId.of(
          `${DEPLOYED_METRIC} ${watched.map((g) => `${g.name}=${g.schedule}`).join(' ')}`,
        ),
      },
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          // PutMetricData has no resource to name; the namespace condition is its only scope.
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': METRICS.namespace } },
        }),
      ],
    }));
    for (const g of watched) {
      const hours = heartbeatHours(g.longestGapHours, props.runTimeout);
      const alarm = add(`Heartbeat-${g.name}`, {
        alarmDescription: `No ${g.name} run completed for ${hours} hours (its runs are up to ${g.longestGapHours} hours apart).`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(runs, 0) + FILL(deployed, 0)',
          usingMetrics: {
            runs: groupMetric(METRICS.runsCompleted, g.name, HOUR),
            deployed: groupMetric(DEPLOYED_METRIC, g.name, HOUR),
          },
          label: `${g.name} runs completed (or stack deployed) per hour`,
          period: HOUR,
        }),
        threshold: 1,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      // The marker is in place before the alarm first looks.
      alarm.node.addDependency(start);
    }
  }

  /** A monthly cost budget for the whole account (a public site can be made to cost), mailing through the topic. */
  private addBudget(amount: number) {
    const stack = Stack.of(this);
    const budgetName = `${stack.stackName.slice(0, 40)}-${stack.region}-monthly`;
    const budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount, unit: 'USD' },
      },
      // At 80% of what was spent, and when the month is forecast to end over the budget.
      notificationsWithSubscribers: (
        [
          ['ACTUAL', 80],
          ['FORECASTED', 100],
        ] as const
      ).map(([notificationType, threshold]) => ({
        notification: {
          notificationType,
          comparisonOperator: 'GREATER_THAN',
          threshold,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [{ subscriptionType: 'SNS', address: this.topic.topicArn }],
      })),
    });
    const policy = this.allowPublish(
      'BudgetOfThisStack',
      'budgets',
      stack.formatArn({ service: 'budgets', region: '', resource: 'budget', resourceName: budgetName }),
    );
    // Budgets checks that it may publish when the budget is created.
    if (policy.policyDependable) budget.node.addDependency(policy.policyDependable);
  }
}
