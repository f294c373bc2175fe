import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { heartbeatHours } from '../lib/alerts';
import { createApp } from '../lib/app';
import { readConfig } from '../lib/config';
import { GammaReportStack } from '../lib/gamma-report-stack';
import { RUN_TIMEOUT } from '../lib/runs';
import { CONTENT_SECURITY_POLICY, NOT_FOUND_PAGE } from '../lib/site';
import { ROOT } from './helpers';

/** Test apps do not read cdk.json: pass its context in, so the stack is the one `cdk synth` makes. */
const CDK_CONTEXT = (
  JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

const EMAIL = {
  alarmEmail: 'ops@example.com',
  emailFrom: 'reports@example.com',
  emailTo: 'me@example.com,desk@example.com',
};
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

/**
 * Runs `work` with CDK's "Bundling asset …" notes (written to stderr while the functions are bundled) kept
 * out of the test log; anything else on stderr still shows.
 */
function withoutBundlingNotes<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).startsWith('Bundling asset ')
      ? true
      : write.call(process.stderr, chunk, ...rest)) as typeof process.stderr.write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}

/** The app `cdk synth` makes with cdk.json's context and `extra`, its stack and its template. */
function synth(extra: Record<string, unknown> = {}) {
  return withoutBundlingNotes(() => {
    const { app, stack } = createApp({ context: { ...CDK_CONTEXT, ...extra } });
    return { app, stack, template: Template.fromStack(stack) };
  });
}

const { app, stack, template } = synth(EMAIL);

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type)) as [string, Resource][];
const only = (t: Template, type: string) => {
  const found = resources(t, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** The state machine definition with its CloudFormation tokens replaced by their logical names. */
function definition(): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
  const [, parts] = (sm.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '')}>`))
    .join('');
  return JSON.parse(text);
}

/** The logical id of the Lambda function whose description starts with `prefix`. */
function functionId(t: Template, prefix: string): string {
  return resources(t, 'AWS::Lambda::Function').find(([, f]) =>
    String(f.Properties.Description ?? '').startsWith(prefix),
  )![0];
}
const UNDERLYING = functionId(template, 'Fetches one chain');
const AGGREGATE = functionId(template, 'Rewrites the index');

/** The statements of the policies attached to the role of a function. */
function roleStatements(t: Template, fnId: string) {
  const fn = t.toJSON().Resources[fnId] as Resource;
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resources(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
}

/** `<bucket ARN>/<pattern>` as the template writes an object ARN. */
const objects = (bucketId: string, pattern: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${pattern}`]],
});
const BUCKET = only(template, 'AWS::S3::Bucket')[0];

describe('the report bucket', () => {
  it('is private, encrypted, versioned, expires old versions and is kept when the stack goes', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              NoncurrentVersionExpiration: { NoncurrentDays: 30, NewerNoncurrentVersions: 3 },
            }),
            Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          ]),
        },
      },
    });
  });

  it('refuses plain HTTP and lets only this distribution read, through OAC', () => {
    const [distribution] = only(template, 'AWS::CloudFront::Distribution');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': Match.objectLike({
                  'Fn::Join': [
                    '',
                    Match.arrayWith([Match.stringLikeRegexp(':distribution/'), { Ref: distribution }]),
                  ],
                }),
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });
});

describe('the distribution', () => {
  it('redirects to HTTPS, serves index.html at the root and sends the security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31536000,
            IncludeSubdomains: true,
            Override: true,
            Preload: false,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
        },
      }),
    });
  });

  it('answers a missing key (403 from S3 through OAC, or 404) with the "no report yet" page and a 404', () => {
    const [, distribution] = only(template, 'AWS::CloudFront::Distribution');
    expect(
      (distribution.Properties.DistributionConfig as Record<string, unknown>).CustomErrorResponses,
    ).toEqual(
      [403, 404].map((ErrorCode) => ({
        ErrorCode,
        ResponseCode: 404,
        ResponsePagePath: '/404.html',
        ErrorCachingMinTTL: 60,
      })),
    );
  });

  it('puts the "no report yet" page in the bucket at deploy, allowed to write that one key only', () => {
    const [, page] = resources(template, 'Custom::AWS').find(([, r]) =>
      JSON.stringify(r.Properties.Create).includes('putObject'),
    )!;
    // The call names the bucket by reference, so it is a join around the bucket's Ref.
    const parts = (page.Properties.Create as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts
      .map((p) =>
        typeof p === 'string' ? p : JSON.stringify(p) === JSON.stringify({ Ref: BUCKET }) ? 'BUCKET' : '?',
      )
      .join('');
    expect(JSON.parse(text)).toEqual({
      service: 'S3',
      action: 'putObject',
      parameters: {
        Bucket: 'BUCKET',
        Key: '404.html',
        Body: NOT_FOUND_PAGE,
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'public, max-age=300',
      },
      physicalResourceId: { id: '404.html' },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 's3:PutObject', Effect: 'Allow', Resource: objects(BUCKET, '404.html') }],
      },
    });
  });

  it('serves a page that needs nothing the Content-Security-Policy refuses', () => {
    expect(NOT_FOUND_PAGE).toContain('<h1>No report here yet</h1>');
    // No script, no frame, no object, no external stylesheet or image: only inline styles and same-site links.
    expect(NOT_FOUND_PAGE).not.toMatch(/<script|<iframe|<object|<embed|<link rel="stylesheet"|<img|style="/i);
    const urls = [...NOT_FOUND_PAGE.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['data:,', '/']);
  });

  it('names its origin access control and headers policy after the stack and region, so a second one deploys', () => {
    const named = { 'Fn::Join': ['', ['MarketGammaReport-', { Ref: 'AWS::Region' }, Match.anyValue()]] };
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ Name: named }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({ Name: named }),
    });
  });

  it('outputs the site URL', () => {
    template.hasOutput('SiteUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }, '/']] },
    });
  });

  it('serves a custom domain with its us-east-1 certificate and TLS 1.2 at least', () => {
    const custom = synth({ domainName: 'gamma.example.com', certificateArn: CERT }).template;
    custom.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['gamma.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: CERT,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
    custom.hasOutput('SiteUrl', { Value: 'https://gamma.example.com/' });
    custom.hasOutput('DistributionDomainName', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] } });
  });
});

describe('the schedules', () => {
  it.each([
    ['equity', 'cron(30 8 ? * MON-FRI *)', 'America/New_York', ['SPX', 'SPY']],
    ['crypto', 'cron(15 8 * * ? *)', 'UTC', ['BTC', 'ETH']],
  ])('start the %s run at %s in %s', (group, cron, zone, underlyings) => {
    const s = resources(template, 'AWS::Scheduler::Schedule')
      .map(([, r]) => r.Properties as { Target: { Input: string } } & Record<string, unknown>)
      .find((x) => JSON.parse(x.Target.Input).group === group)!;
    expect(s.ScheduleExpression).toBe(cron);
    expect(s.ScheduleExpressionTimezone).toBe(zone);
    expect(JSON.parse(s.Target.Input)).toEqual({ group, underlyings });
    expect(s.Target).toMatchObject({
      Arn: { Ref: only(template, 'AWS::StepFunctions::StateMachine')[0] },
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue')[0], 'Arn'] } },
    });
    expect(s.GroupName).toBe(only(template, 'AWS::Scheduler::ScheduleGroup')[1].Properties.Name);
  });

  it('park a run they could not start in an encrypted queue that refuses plain HTTP', () => {
    const [queue] = only(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the state machine', () => {
  const states = definition().States;
  const inner = (
    states['Each underlying'] as { ItemProcessor: { States: Record<string, Record<string, unknown>> } }
  ).ItemProcessor.States;
  const LAMBDA_SERVICE = [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  it('maps over the underlyings with bounded concurrency, then publishes the index, within 30 minutes', () => {
    expect(definition().StartAt).toBe('Each underlying');
    expect(states['Each underlying']).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.underlyings',
      ItemSelector: { 'symbol.$': '$$.Map.Item.Value' },
      MaxConcurrency: 4,
      ResultPath: '$.results',
      Next: 'Publish index',
    });
    expect(states['Publish index']).toMatchObject({ Type: 'Task', End: true });
    const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
    expect(JSON.stringify(sm.Properties.DefinitionString)).toContain('"TimeoutSeconds\\":1800}');
  });

  it('retries what can clear, and records any other failure of an underlying without failing the run', () => {
    expect(inner['Analyse underlying']).toMatchObject({
      Type: 'Task',
      // The function's 120 s and 30 s for the invocation: Step Functions never abandons a running function.
      TimeoutSeconds: 150,
      Retry: [
        {
          ErrorEquals: LAMBDA_SERVICE,
          IntervalSeconds: 2,
          MaxAttempts: 3,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
        {
          // The product's transient failures; SourceRefused, InvalidData and AnalysisFailed are not retried.
          ErrorEquals: ['SourceUnavailable', 'PublishFailed'],
          IntervalSeconds: 20,
          MaxAttempts: 3,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
        { ErrorEquals: ['Sandbox.Timedout', 'States.Timeout'], IntervalSeconds: 5, MaxAttempts: 1 },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record failure' }],
    });
    expect(inner['Record failure']).toMatchObject({
      Type: 'Pass',
      // Only the error's name: a Lambda error's Cause carries its stack trace (the state limit is 256 KB).
      Parameters: { 'symbol.$': '$.symbol', status: 'failed', 'error.$': '$.error.Error' },
      End: true,
    });
    expect(states['Publish index']).toMatchObject({
      TimeoutSeconds: 90,
      Retry: [
        expect.objectContaining({ ErrorEquals: LAMBDA_SERVICE }),
        { ErrorEquals: ['Sandbox.Timedout', 'States.Timeout'], IntervalSeconds: 5, MaxAttempts: 1 },
      ],
    });
  });

  it('retries States.Timeout only on tasks that have a timeout, the one case where it can match', () => {
    const tasks = [...Object.values(states), ...Object.values(inner)].filter((s) => s.Type === 'Task');
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      const retried = (task.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      if (retried.includes('States.Timeout')) expect(task.TimeoutSeconds).toEqual(expect.any(Number));
    }
  });
});

describe('the functions', () => {
  it('run Node 24 on ARM64 with JSON logs at INFO kept 30 days', () => {
    for (const id of [UNDERLYING, AGGREGATE]) {
      expect((template.toJSON().Resources[id] as Resource).Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3);
  });

  it('may write logs only to their own log group: no role holds a managed policy', () => {
    for (const [, role] of resources(template, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const id of [UNDERLYING, AGGREGATE]) {
      const fn = template.toJSON().Resources[id] as Resource;
      const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logStatements = roleStatements(template, id).filter((s) =>
        [s.Action].flat().some((a) => String(a).startsWith('logs:')),
      );
      expect(logStatements).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
      ]);
    }
  });

  it('read and write only the bucket keys each one uses, and list the bucket', () => {
    const s3Statements = (id: string) =>
      roleStatements(template, id).filter((s) => [s.Action].flat().some((a) => String(a).startsWith('s3:')));
    expect(s3Statements(UNDERLYING)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects(BUCKET, '*/*') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects(BUCKET, '*/*') },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [BUCKET, 'Arn'] } },
    ]);
    expect(s3Statements(AGGREGATE)).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: ['*/summary.json', '*/latest.json'].map((p) => objects(BUCKET, p)),
      },
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: ['index.html', 'screener.json', 'screener.csv'].map((p) => objects(BUCKET, p)),
      },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [BUCKET, 'Arn'] } },
    ]);
  });

  it('gives both functions the age limits of live snapshots from the context', () => {
    for (const description of ['^Fetches one chain', '^Rewrites the index']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: {
          Variables: Match.objectLike({ MAX_AGE_HOURS_EQUITY: '36', MAX_AGE_HOURS_CRYPTO: '2' }),
        },
      });
    }
  });

  it('outputs the two log group names for aws logs tail', () => {
    for (const [output, id] of [
      ['UnderlyingLogGroup', UNDERLYING],
      ['AggregateLogGroup', AGGREGATE],
    ] as const) {
      const fn = template.toJSON().Resources[id] as Resource;
      template.hasOutput(output, { Value: (fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup });
    }
    template.hasOutput('BucketName', { Value: { Ref: BUCKET } });
    template.hasOutput('StateMachineArn', {
      Value: { Ref: only(template, 'AWS::StepFunctions::StateMachine')[0] },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: only(template, 'AWS::SNS::Topic')[0] } });
  });
});

describe('the daily email', () => {
  it('verifies the sender and, in the SES sandbox, each recipient as an identity', () => {
    expect(
      resources(template, 'AWS::SES::EmailIdentity')
        .map(([, i]) => i.Properties.EmailIdentity)
        .sort(),
    ).toEqual(['desk@example.com', 'me@example.com', 'reports@example.com']);
  });

  it('lets only the aggregate function send, only from the configured address, through those identities', () => {
    const [configurationSet] = only(template, 'AWS::SES::ConfigurationSet');
    const ses = resources(template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.filter((s) =>
        [s.Action].flat().some((a) => String(a).startsWith('ses:')),
      ),
    );
    expect(ses).toEqual(
      roleStatements(template, AGGREGATE).filter((s) => String(s.Action).startsWith('ses:')),
    );
    const sesArn = (resource: string, id: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${resource}/`,
          { Ref: id },
        ],
      ],
    });
    const identity = (address: string) =>
      sesArn(
        'identity',
        resources(template, 'AWS::SES::EmailIdentity').find(
          ([, i]) => i.Properties.EmailIdentity === address,
        )![0],
      );
    expect(ses).toEqual([
      {
        Action: 'ses:SendEmail',
        Effect: 'Allow',
        Condition: { StringEquals: { 'ses:FromAddress': 'reports@example.com' } },
        Resource: [
          identity('reports@example.com'),
          identity('me@example.com'),
          identity('desk@example.com'),
          sesArn('configuration-set', configurationSet),
        ],
      },
    ]);
  });

  it('sends through a configuration set that counts bounces and complaints in CloudWatch', () => {
    const [configurationSet] = only(template, 'AWS::SES::ConfigurationSet');
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'reports@example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSet } },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSet },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            {
              DimensionName: 'ses:configuration-set',
              DimensionValueSource: 'messageTag',
              DefaultDimensionValue: { Ref: configurationSet },
            },
          ],
        },
      }),
    });
  });

  it('tells the aggregate function who sends, to whom, and the site URL for the links', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Rewrites the index'),
      Environment: {
        Variables: Match.objectLike({
          EMAIL_FROM: 'reports@example.com',
          EMAIL_TO: 'me@example.com,desk@example.com',
          SITE_URL: {
            'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }, '/']],
          },
        }),
      },
    });
  });
});

/** Each alarm by the name it is given (stack name, then its id). */
function alarms(t: Template) {
  return Object.fromEntries(
    resources(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [a.Properties.AlarmName as string, { id, ...a }]),
  );
}

describe('the alarms', () => {
  const byName = alarms(template);

  it('cover failed, timed-out and aborted runs, failed underlyings and emails, heartbeats, dropped schedules, throttles, bounces and complaints', () => {
    expect(Object.keys(byName).sort()).toEqual(
      [
        'EmailBounces',
        'EmailComplaints',
        'EmailFailures-crypto',
        'EmailFailures-equity',
        'ExecutionsAborted',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'Heartbeat-crypto',
        'Heartbeat-equity',
        'ScheduleDeadLetterFailures',
        'ScheduleDeadLetters',
        'Throttles0',
        'Throttles1',
        'UnderlyingFailures-crypto',
        'UnderlyingFailures-equity',
      ].map((id) => `MarketGammaReport-${id}`),
    );
    const [topic] = only(template, 'AWS::SNS::Topic');
    for (const a of Object.values(byName)) expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it.each([
    ['ExecutionsFailed', 'AWS/States', 'ExecutionsFailed'],
    ['ExecutionsTimedOut', 'AWS/States', 'ExecutionsTimedOut'],
    ['ExecutionsAborted', 'AWS/States', 'ExecutionsAborted'],
    ['UnderlyingFailures-equity', 'MarketGammaReport', 'UnderlyingFailures'],
    ['EmailFailures-crypto', 'MarketGammaReport', 'EmailFailures'],
    ['Throttles0', 'AWS/Lambda', 'Throttles'],
    ['ScheduleDeadLetters', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
    ['ScheduleDeadLetterFailures', 'AWS/Scheduler', 'InvocationsFailedToBeSentToDeadLetterCount'],
    ['EmailBounces', 'AWS/SES', 'Bounce'],
    ['EmailComplaints', 'AWS/SES', 'Complaint'],
  ])('%s fires on the first %s %s', (id, namespace, metric) => {
    expect(byName[`MarketGammaReport-${id}`]!.Properties).toMatchObject({
      Namespace: namespace,
      MetricName: metric,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('watch the resources of this stack: its state machine, functions, queue, schedule group and configuration set', () => {
    const dimension = (id: string) => byName[`MarketGammaReport-${id}`]!.Properties.Dimensions;
    expect(dimension('ExecutionsTimedOut')).toEqual([
      { Name: 'StateMachineArn', Value: { Ref: only(template, 'AWS::StepFunctions::StateMachine')[0] } },
    ]);
    expect([dimension('Throttles0'), dimension('Throttles1')]).toEqual(
      [UNDERLYING, AGGREGATE].map((fn) => [{ Name: 'FunctionName', Value: { Ref: fn } }]),
    );
    expect(dimension('ScheduleDeadLetters')).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue')[0], 'QueueName'] } },
    ]);
    expect(dimension('ScheduleDeadLetterFailures')).toEqual([
      { Name: 'ScheduleGroup', Value: only(template, 'AWS::Scheduler::ScheduleGroup')[1].Properties.Name },
    ]);
    expect(dimension('EmailBounces')).toEqual([
      { Name: 'ses:configuration-set', Value: { Ref: only(template, 'AWS::SES::ConfigurationSet')[0] } },
    ]);
    expect(dimension('UnderlyingFailures-equity')).toEqual([{ Name: 'Group', Value: 'equity' }]);
  });

  it('leave out what a retry fixes or another alarm already says: no function Errors, no single Scheduler target error', () => {
    const metrics = Object.values(byName).map((a) => a.Properties.MetricName);
    expect(metrics).not.toContain('Errors');
    expect(metrics).not.toContain('TargetErrorCount');
  });

  it('leave out the email alarms when there is no daily email', () => {
    const names = Object.keys(alarms(synth().template));
    expect(names.filter((n) => /Email/.test(n))).toEqual([]);
    expect(names).toHaveLength(11);
  });
});

describe('the heartbeat', () => {
  const byName = alarms(template);

  // The longest gap (tests/config.test.ts) plus the 30-minute run, the hour the alarm reads in whole, and
  // half an hour for the metric to arrive: equity 73 + 2 = 75 hours, crypto 24 + 2 = 26.
  it.each([
    ['equity', 75],
    ['crypto', 26],
  ])('fires when the %s group has neither run nor been deployed in %d hours', (group, hours) => {
    const alarm = byName[`MarketGammaReport-Heartbeat-${group}`]!;
    const metric = (name: string) => ({
      MetricStat: {
        Metric: {
          Namespace: 'MarketGammaReport',
          MetricName: name,
          Dimensions: [{ Name: 'Group', Value: group }],
        },
        Period: 3600,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    expect(alarm.Properties).toMatchObject({
      Metrics: [
        { Expression: 'FILL(runs, 0) + FILL(deployed, 0)', ReturnData: true },
        { Id: 'runs', ...metric('RunsCompleted') },
        { Id: 'deployed', ...metric('StackDeployed') },
      ],
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: hours,
      DatapointsToAlarm: hours,
      TreatMissingData: 'breaching',
    });
  });

  it('starts counting at deploy: a datapoint per group is put before either alarm exists', () => {
    const [seedId, seed] = resources(template, 'Custom::AWS').find(([, r]) =>
      String(r.Properties.Create).includes('putMetricData'),
    )!;
    const call = JSON.parse(seed.Properties.Create as string);
    expect(call).toEqual({
      service: 'CloudWatch',
      action: 'putMetricData',
      parameters: {
        Namespace: 'MarketGammaReport',
        MetricData: ['equity', 'crypto'].map((g) => ({
          MetricName: 'StackDeployed',
          Dimensions: [{ Name: 'Group', Value: g }],
          Value: 1,
          Unit: 'Count',
        })),
      },
      physicalResourceId: {
        id: 'StackDeployed equity=cron(30 8 ? * MON-FRI *) America/New_York crypto=cron(15 8 * * ? *) UTC',
      },
    });
    // Made again when a group or a schedule changes, as the physical id above changes with them.
    expect(JSON.parse(seed.Properties.Update as string)).toEqual(call);
    for (const g of ['equity', 'crypto']) {
      expect(byName[`MarketGammaReport-Heartbeat-${g}`]!.DependsOn).toContain(seedId);
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'cloudwatch:PutMetricData',
            Effect: 'Allow',
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'MarketGammaReport' } },
          },
        ],
      },
    });
  });

  it('follows the configured schedule, and warns where CloudWatch cannot watch so long a gap', () => {
    const { stack: other, template: t } = synth({
      cryptoSchedule: 'cron(0 */6 * * ? *)',
      equitySchedule: 'cron(0 9 ? * MON *)',
    });
    const names = alarms(t);
    // Every six hours: 6 + 2 hours.
    expect(names['MarketGammaReport-Heartbeat-crypto']!.Properties.EvaluationPeriods).toBe(8);
    // Weekly in New York: 169 hours across the November clock change, past the seven days an alarm reads.
    expect(names['MarketGammaReport-Heartbeat-equity']).toBeUndefined();
    Annotations.fromStack(other).hasWarning(
      '/MarketGammaReport/Alerts',
      Match.stringLikeRegexp('^No heartbeat alarm for the equity group: its runs are up to 169 hours apart'),
    );
  });

  it('adds the run and the alarm resolution to the gap', () => {
    expect(heartbeatHours(73, RUN_TIMEOUT)).toBe(75);
    expect(heartbeatHours(24.5, RUN_TIMEOUT)).toBe(27);
  });
});

describe('the alarm topic', () => {
  /** The statement that lets an AWS service publish for this account, from these sources only. */
  const allowed = (Sid: string, service: string, topic: string, sources: unknown) => ({
    Sid,
    Effect: 'Allow',
    Principal: { Service: `${service}.amazonaws.com` },
    Action: 'sns:Publish',
    Resource: { Ref: topic },
    Condition: {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnEquals: { 'aws:SourceArn': sources },
    },
  });
  const policyOf = (t: Template) =>
    (
      only(t, 'AWS::SNS::TopicPolicy')[1].Properties.PolicyDocument as {
        Statement: Record<string, unknown>[];
      }
    ).Statement;

  it('refuses plain HTTP and lets CloudWatch publish for this account and exactly these alarms', () => {
    const [topic] = only(template, 'AWS::SNS::Topic');
    const statements = policyOf(template);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({
      Effect: 'Deny',
      Action: 'sns:Publish',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(statements[1]).toEqual(
      allowed(
        'AlarmsOfThisStack',
        'cloudwatch',
        topic,
        resources(template, 'AWS::CloudWatch::Alarm').map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
      ),
    );
  });

  it('with monthlyBudgetUsd, gets a monthly cost budget that may publish to it too', () => {
    const t = synth({ ...EMAIL, monthlyBudgetUsd: 5 }).template;
    const [topic] = only(t, 'AWS::SNS::Topic');
    const [budgetId, budget] = only(t, 'AWS::Budgets::Budget');
    const name = { 'Fn::Join': ['', ['MarketGammaReport-', { Ref: 'AWS::Region' }, '-monthly']] };
    expect(budget.Properties).toEqual({
      Budget: {
        BudgetName: name,
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 5, Unit: 'USD' },
      },
      NotificationsWithSubscribers: [
        ['ACTUAL', 80],
        ['FORECASTED', 100],
      ].map(([NotificationType, Threshold]) => ({
        Notification: {
          NotificationType,
          ComparisonOperator: 'GREATER_THAN',
          Threshold,
          ThresholdType: 'PERCENTAGE',
        },
        Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: topic } }],
      })),
    });
    expect(policyOf(t)[2]).toEqual(
      allowed('BudgetOfThisStack', 'budgets', topic, {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':budgets::',
            { Ref: 'AWS::AccountId' },
            ':budget/MarketGammaReport-',
            { Ref: 'AWS::Region' },
            '-monthly',
          ],
        ],
      }),
    );
    expect((t.toJSON().Resources[budgetId] as Resource).DependsOn).toContain(
      only(t, 'AWS::SNS::TopicPolicy')[0],
    );
    expect(Object.keys(synth(EMAIL).template.findResources('AWS::Budgets::Budget'))).toEqual([]);
  });
});

describe('synth warnings', () => {
  it('warns, without failing, when no one is subscribed to the alarms', () => {
    Annotations.fromStack(synth().stack).hasWarning(
      '/MarketGammaReport',
      Match.stringLikeRegexp('^alarmEmail is empty: the alarms notify an SNS topic nobody is subscribed to'),
    );
    Annotations.fromStack(stack).hasNoWarning('/MarketGammaReport', Match.stringLikeRegexp('alarmEmail'));
  });
});

/** Every acknowledgement recorded in a construct tree: where, and which finding it accepts. */
function acknowledgements(root: IConstruct): { path: string; id: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.keys(m.data as object).map((k) => ({
          path: c.node.path,
          id: k.replace(/^annotation::/i, ''),
        })),
      ),
  );
}

/** cdk-nag's findings on the same stack built without any acknowledgement. */
function findings(context: Record<string, unknown>) {
  return withoutBundlingNotes(() => {
    const bare = new App({ context: { ...CDK_CONTEXT, ...context } });
    const s: Stack = new GammaReportStack(bare, 'MarketGammaReport', {
      config: readConfig((k) => bare.node.tryGetContext(k)),
    });
    return new AwsSolutionsChecks()
      .validateScope(s)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })),
      );
  });
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged: the app synthesises', () => {
    expect(() => withoutBundlingNotes(() => app.synth())).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('is really checking: the same stack without its acknowledgements has findings', () => {
    expect(findings(EMAIL).length).toBeGreaterThan(0);
  });

  it.each([
    ['cdk.json as it is', {}],
    [
      'email, budget and a custom domain',
      { ...EMAIL, monthlyBudgetUsd: 5, domainName: 'gamma.example.com', certificateArn: CERT },
    ],
  ])('with %s, acknowledges only real findings, each on the construct it concerns', (_, context) => {
    const { app: acked, stack: s } = synth(context);
    const found = findings(context);
    const acks = acknowledgements(acked);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // Never the app or the stack as a whole.
      expect(ack.path.split('/').length).toBeGreaterThan(1);
      const matched = found.some(
        (f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect({ ...ack, matched }).toEqual({ ...ack, matched: true });
    }
    expect(new AwsSolutionsChecks().validateScope(s).violations).toEqual([]);
  });
});
