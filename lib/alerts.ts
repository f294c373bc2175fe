import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../lambda/metrics';

export interface HeartbeatGroup {
  name: string;
  /** No completed run for this long raises the alarm: the schedule's period plus a margin. */
  within: Duration;
}

export interface ReportAlertsProps {
  functions: lambda.IFunction[];
  stateMachine: sfn.IStateMachine;
  heartbeats: HeartbeatGroup[];
  /** Subscribed to the topic when set. */
  email: string;
}

/**
 * Every failure reaches one SNS topic: function errors, failed executions, an underlying that failed
 * inside an otherwise successful run, and a heartbeat when no run completed in time.
 */
export class ReportAlerts extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ReportAlertsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Market gamma report alarms',
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      alarm.addAlarmAction(notify);
      this.alarms.push(alarm);
    };

    props.functions.forEach((fn, i) =>
      add(`FunctionErrors${i}`, {
        alarmDescription: `A report function failed (${fn.node.path}); see its logs.`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    add('ExecutionsFailed', {
      alarmDescription: 'A report run failed, timed out or was aborted.',
      metric: props.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const g of props.heartbeats) {
      add(`UnderlyingFailures-${g.name}`, {
        alarmDescription: `At least one ${g.name} underlying failed in a run; the log line "underlying failed" names it.`,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: 'UnderlyingFailures',
          dimensionsMap: { Group: g.name },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      // Alarm when every one of N consecutive periods saw no completed run: N × period = the allowed gap.
      const period = heartbeatPeriod(g.within);
      add(`Heartbeat-${g.name}`, {
        alarmDescription: `No ${g.name} run completed within ${g.within.toHours()} hours.`,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: 'RunsCompleted',
          dimensionsMap: { Group: g.name },
          period,
          statistic: 'Sum',
        }),
        threshold: 1,
        evaluationPeriods: g.within.toSeconds() / period.toSeconds(),
        datapointsToAlarm: g.within.toSeconds() / period.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
  }
}

/** The shortest whole-hour period that splits the gap into at most 24 equal periods (26 h: 13 × 2 h). */
export function heartbeatPeriod(within: Duration): Duration {
  const hours = within.toHours();
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new Error(`a heartbeat of ${hours} hours is not 1 to 168 whole hours`);
  }
  let period = 1;
  while (hours % period !== 0 || hours / period > 24) period++;
  return Duration.hours(period);
}
