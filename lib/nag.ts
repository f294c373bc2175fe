import { Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { GammaReportStack } from './gamma-report-stack';
import { MAP_LABEL, RUN_RESULTS_PREFIX } from './runs';

/**
 * The cdk-nag AwsSolutions findings this design accepts, each acknowledged on the construct it concerns
 * (never the whole stack) with its reason. Anything not listed here fails the synth, and
 * `tests/stack.test.ts` checks that each acknowledgement still matches a finding.
 */
export function acknowledgeNagFindings(stack: GammaReportStack): void {
  const ref = (element: IConstruct) => `<${stack.getLogicalId(element.node.defaultChild as CfnElement)}.Arn>`;
  const accept = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  const { site, runs, alerts } = stack;

  accept(
    site.bucket,
    'AwsSolutions-S1',
    'No server access logs: the bucket holds public, derived reports only, its writers are the two report functions (in CloudTrail), and a log bucket would cost more than the site.',
  );
  accept(
    site.distribution,
    'AwsSolutions-CFR1',
    'The reports are public by design; no geographic restriction applies.',
  );
  accept(
    site.distribution,
    'AwsSolutions-CFR2',
    'Static, read-only pages with caching and no forms or scripts; AWS WAF would cost several dollars a month for a site meant to cost cents.',
  );
  accept(
    site.distribution,
    'AwsSolutions-CFR3',
    'CloudFront access logs need an ACL-enabled log bucket; the site serves public derived data and CloudFront metrics cover its health.',
  );
  if (site.domainName === undefined) {
    accept(
      site.distribution,
      'AwsSolutions-CFR4',
      'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront sets; with domainName and certificateArn the minimum is TLSv1.2_2021.',
    );
  }

  const bucket = ref(site.bucket);
  accept(
    stack.underlyingFunction.role!,
    `AwsSolutions-IAM5[Resource::${bucket}/*/*]`,
    "Get and put only keys inside a folder: each underlying's reports live under <SYM>/, named by date; the root index is not this function's.",
  );
  for (const [key, why] of [
    ['summary.json', 'for the screener'],
    ['latest.json', "for a short watchlist's email"],
  ]) {
    accept(
      stack.aggregateFunction.role!,
      `AwsSolutions-IAM5[Resource::${bucket}/*/${key}]`,
      `Read ${key} of every underlying ${why}: the underlyings are those the bucket holds, named at run time.`,
    );
  }

  const results = `${ref(runs.bucket)}/${RUN_RESULTS_PREFIX}/*`;
  accept(
    runs.bucket,
    'AwsSolutions-S1',
    'No server access logs: the private runs bucket holds only the watchlists the stack writes and the map results of each run, written by Step Functions and read by the aggregate function (both in CloudTrail).',
  );
  accept(
    stack.aggregateFunction.role!,
    `AwsSolutions-IAM5[Resource::${results}]`,
    "Read the map's results of a run: Step Functions names them by the map run's id (results/<id>/manifest.json and its result files).",
  );

  const machineRole = runs.stateMachine.role;
  accept(
    machineRole,
    `AwsSolutions-IAM5[Resource::${results}]`,
    "Write the distributed map's results under their prefix only: Step Functions names the files by the map run's id.",
  );
  // The distributed map starts, watches and may redrive its own child executions (what the map state grants).
  // cdk-nag writes a pseudo parameter as <AWS::Region>, and a region or account the synth knows as itself.
  const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const executions = `arn:<AWS::Partition>:states:${known(stack.region, 'Region')}:${known(stack.account, 'AccountId')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(runs.stateMachine.node.defaultChild as CfnElement)}"}]}]}`;
  const mapPolicy = runs.stateMachine.node.findChild('DistributedMapPolicy');
  for (const [pattern, what] of [
    [`${executions}:*`, 'Describe and stop the executions of this one state machine'],
    [`${executions}/${MAP_LABEL}:*`, "Redrive this state machine's own map runs"],
  ]) {
    accept(
      mapPolicy,
      `AwsSolutions-IAM5[Resource::${pattern}]`,
      `${what}: the distributed map's child executions, named at run time.`,
    );
  }
  for (const fn of [stack.underlyingFunction, stack.aggregateFunction]) {
    accept(
      machineRole,
      `AwsSolutions-IAM5[Resource::${ref(fn)}:*]`,
      'The state machine may invoke any version or alias of this one report function (what the Lambda task grants).',
    );
  }
  accept(
    machineRole,
    'AwsSolutions-IAM5[Resource::*]',
    'X-Ray tracing and CloudWatch Logs delivery for the state machine have no resource-level permissions (AWS documents Resource "*").',
  );
  accept(
    runs.deadLetterQueue,
    'AwsSolutions-SQS3',
    "This queue is itself the dead-letter queue of the schedules (EventBridge Scheduler's, not an SQS redrive, which the rule cannot see).",
  );
  if (alerts.heartbeatStart) {
    accept(
      alerts.heartbeatStart,
      'AwsSolutions-IAM5[Resource::*]',
      'PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits the call to this product namespace.',
    );
  }
}
