/** The run metrics the aggregate step emits and the alarms read (no imports: the stack uses it too). */
export const METRIC_NAMESPACE = 'MarketGammaReport';

/** A CloudWatch Embedded Metric Format line: Lambda's log pipeline turns it into metrics, no API call. */
export function metricLine(group: string, metrics: Record<string, number>, at: Date): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['Group']],
          Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    Group: group,
    ...metrics,
  });
}
