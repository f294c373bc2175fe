import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

export interface DeployCallProps {
  /** The AWS SDK call, made when the resource is created and again whenever the call itself changes. */
  call: cr.AwsSdkCall;
  /** Exactly what the call needs. */
  statements: iam.PolicyStatement[];
}

/** The ids, under the stack, of what every deploy-time call shares. */
const LOGS_ID = 'DeployCallLogs';
const ROLE_ID = 'DeployCallRole';

/**
 * One AWS API call made by CloudFormation at deploy time (a page the site needs before the first run, a
 * metric datapoint). Every such call in the stack runs in one shared provider function, whose role may
 * write only to its own log group (kept a week) plus what each call needs, and which uses the SDK of its
 * Lambda runtime (no download of the latest SDK at deploy).
 */
export function deployCall(scope: Construct, id: string, props: DeployCallProps): cr.AwsCustomResource {
  const stack = Stack.of(scope);
  let logGroup = stack.node.tryFindChild(LOGS_ID) as logs.LogGroup | undefined;
  let role = stack.node.tryFindChild(ROLE_ID) as iam.Role | undefined;
  if (!logGroup || !role) {
    logGroup = new logs.LogGroup(stack, LOGS_ID, {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Not AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    role = new iam.Role(stack, ROLE_ID, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Makes the AWS API calls the stack needs at deploy time',
    });
    logGroup.grantWrite(role);
  }
  return new cr.AwsCustomResource(scope, id, {
    onCreate: props.call,
    onUpdate: props.call,
    policy: cr.AwsCustomResourcePolicy.fromStatements(props.statements),
    installLatestAwsSdk: false,
    logGroup,
    role,
  });
}
