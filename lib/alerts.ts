import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS } from '../lambda/contract';

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
  /** Alarm on failed sends of the daily email. */
  watchEmail: boolean;
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
    /** Alarm on any occurrence: a sum of 1 or more in a five-minute period. */
    const onAny = (alarmId: string, alarmDescription: string, metric: cloudwatch.IMetric) =>
      add(alarmId, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const runMetric = (metricName: string, group: string, period = Duration.minutes(5)) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName,
        dimensionsMap: { [METRICS.dimension]: group },
        period,
        statistic: 'Sum',
      });

    props.functions.forEach((fn, i) =>
      onAny(
        `FunctionErrors${i}`,
        `A report function failed (${fn.node.path}); see its logs.`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      ),
    );
    onAny(
      'ExecutionsFailed',
      'A report run failed, timed out or was aborted.',
      props.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    for (const g of props.heartbeats) {
      onAny(
        `UnderlyingFailures-${g.name}`,
        `At least one ${g.name} underlying failed in a run; the log line "underlying failed" names it.`,
        runMetric(METRICS.underlyingFailures, g.name),
      );
      if (props.watchEmail) {
        onAny(
          `EmailFailures-${g.name}`,
          `The daily email of a ${g.name} run was not sent; the log line "email failed" gives the SES error.`,
          runMetric(METRICS.emailFailures, g.name),
        );
      }
      // Alarm when every one of N consecutive periods saw no completed run: N × period = the allowed gap.
      const period = heartbeatPeriod(g.within);
      const periods = g.within.toSeconds() / period.toSeconds();
      add(`Heartbeat-${g.name}`, {
        alarmDescription: `No ${g.name} run completed within ${g.within.toHours()} hours.`,
        metric: runMetric(METRICS.runsCompleted, g.name, period),
        threshold: 1,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
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
