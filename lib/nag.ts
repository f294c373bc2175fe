import { Validations, type CfnElement } from 'aws-cdk-lib';
import type { GammaReportStack } from './gamma-report-stack';

/**
 * The cdk-nag AwsSolutions findings this design accepts, each with its reason. Anything not listed here
 * fails the synth.
 */
export function acknowledgeNagFindings(stack: GammaReportStack): void {
  const ref = (element: unknown) => `<${stack.getLogicalId(element as CfnElement)}.Arn>`;
  const bucket = ref(stack.site.bucket.node.defaultChild);
  const functions = [stack.underlyingFunction, stack.aggregateFunction].map((f) => ref(f.node.defaultChild));
  Validations.of(stack).acknowledge(
    {
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs are not kept: the bucket holds public, derived reports only, writes come from the two report functions (in CloudTrail), and a log bucket would cost more than the site.',
    },
    {
      id: 'AwsSolutions-CFR1',
      reason: 'The reports are public by design; no geographic restriction applies.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'Static, read-only pages behind CloudFront with caching; AWS WAF would cost several dollars a month for a site meant to cost cents.',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'CloudFront access logs need an ACL-enabled log bucket; the site serves public derived data and CloudFront metrics cover its health.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the TLS policy; TLSv1.2_2021 applies once a custom domain and certificate are added.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole only lets the functions write their own logs; bucket access is a separate, scoped policy.',
    },
    {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucket}/*]`,
      reason:
        'Get and Put on the objects of the one report bucket: reports live under a key per symbol and date.',
    },
    ...functions.map((fn) => ({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${fn}:*]`,
      reason: 'The state machine may invoke any version or alias of this one report function.',
    })),
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery for the state machine have no resource-level permissions (AWS documents Resource "*").',
    },
    {
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no secrets; a customer-managed KMS key would add a monthly fee. SSL is enforced on the topic.',
    },
  );
}
