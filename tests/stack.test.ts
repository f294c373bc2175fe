import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../lib/app';
import { CONTENT_SECURITY_POLICY } from '../lib/site';
import { ROOT } from './helpers';

/** Test apps do not read cdk.json: pass its context in, so the stack is the one `cdk synth` makes. */
const CDK_CONTEXT = (
  JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

const { app, stack } = createApp({
  context: {
    ...CDK_CONTEXT,
    alarmEmail: 'ops@example.com',
    emailFrom: 'reports@example.com',
    emailTo: 'me@example.com,desk@example.com',
  },
});
const template = Template.fromStack(stack);

/** The state machine definition with its CloudFormation tokens replaced by their logical names. */
function definition(): {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
} {
  const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  const [, parts] = sm.Properties.DefinitionString['Fn::Join'];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '')}>`))
    .join('');
  return JSON.parse(text);
}

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
    const distribution = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0]!;
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
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
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

  it('outputs the site URL', () => {
    template.hasOutput('SiteUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }, '/']] },
    });
  });
});

describe('the schedules', () => {
  it.each([
    ['equity', 'cron(30 8 ? * MON-FRI *)', 'America/New_York', ['SPX', 'SPY']],
    ['crypto', 'cron(15 8 * * ? *)', 'UTC', ['BTC', 'ETH']],
  ])('starts the %s run at %s in %s', (group, cron, zone, underlyings) => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as {
      Properties: {
        ScheduleExpression: string;
        ScheduleExpressionTimezone: string;
        Target: { Input: string; Arn: unknown };
      };
    }[];
    const s = schedules.find((x) => JSON.parse(x.Properties.Target.Input).group === group)!;
    expect(s.Properties.ScheduleExpression).toBe(cron);
    expect(s.Properties.ScheduleExpressionTimezone).toBe(zone);
    expect(JSON.parse(s.Properties.Target.Input)).toEqual({ group, underlyings });
    expect(s.Properties.Target.Arn).toEqual({
      Ref: Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0],
    });
  });
});

describe('the state machine', () => {
  const states = definition().States;

  it('maps over the underlyings with bounded concurrency, then publishes the index', () => {
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
  });

  it('retries transient failures with backoff and records any other failure without failing the run', () => {
    const inner = (
      states['Each underlying'] as { ItemProcessor: { States: Record<string, Record<string, unknown>> } }
    ).ItemProcessor.States;
    expect(inner['Analyse underlying']).toMatchObject({
      Type: 'Task',
      Retry: [
        {
          ErrorEquals: [
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
            'States.Timeout',
            // The product's transient failures; SourceRefused, InvalidData and AnalysisFailed are not retried.
            'SourceUnavailable',
            'PublishFailed',
          ],
          IntervalSeconds: 20,
          MaxAttempts: 3,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record failure' }],
    });
    expect(inner['Record failure']).toMatchObject({
      Type: 'Pass',
      Parameters: { 'symbol.$': '$.symbol', status: 'failed', 'error.$': '$.error' },
      End: true,
    });
  });
});

describe('the functions', () => {
  it('run Node 24 on ARM64 with JSON logs kept 30 days', () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      },
    });
    expect(Object.keys(fns)).toHaveLength(2);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3);
  });

  it('may read, write and list the report bucket and nothing more in S3', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    const s3Actions = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('s3:'));
    expect([...new Set(s3Actions)].sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });
});

describe('the daily email', () => {
  it('verifies the sender and, in the SES sandbox, each recipient as an identity', () => {
    const identities = Object.values(template.findResources('AWS::SES::EmailIdentity')) as {
      Properties: { EmailIdentity: string };
    }[];
    expect(identities.map((i) => i.Properties.EmailIdentity).sort()).toEqual([
      'desk@example.com',
      'me@example.com',
      'reports@example.com',
    ]);
  });

  it('lets only the aggregate function send, and only as those identities', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')) as [
      string,
      {
        Properties: {
          Roles: { Ref: string }[];
          PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
        };
      },
    ][];
    const sesStatements = policies.flatMap(([, p]) =>
      p.Properties.PolicyDocument.Statement.filter((st) =>
        [st.Action].flat().some((a) => a.startsWith('ses:')),
      ).map((st) => ({ roles: p.Properties.Roles, st })),
    );
    const aggregateRole = (
      Object.values(template.findResources('AWS::Lambda::Function')) as {
        Properties: { Description: string; Role: { 'Fn::GetAtt': [string, string] } };
      }[]
    ).find((f) => f.Properties.Description.startsWith('Rewrites the index'))!.Properties.Role[
      'Fn::GetAtt'
    ][0];
    expect(sesStatements.length).toBe(3);
    for (const { roles, st } of sesStatements) {
      expect(roles).toEqual([{ Ref: aggregateRole }]);
      expect([st.Action].flat()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(JSON.stringify(st.Resource)).toMatch(/:identity\//);
      expect(JSON.stringify(st.Resource)).not.toContain('"*"');
    }
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

describe('the alarms', () => {
  it('watch both functions, failed executions, failed underlyings, failed emails and both heartbeats, all to the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: Record<string, unknown> & { AlarmActions: unknown[]; MetricName: string };
    }[];
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'EmailFailures',
      'EmailFailures',
      'Errors',
      'Errors',
      'ExecutionsFailed',
      'RunsCompleted',
      'RunsCompleted',
      'UnderlyingFailures',
      'UnderlyingFailures',
    ]);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it.each([
    ['crypto', 7200, 13],
    ['equity', 14400, 24],
  ])('raise the %s heartbeat when no run completed for the whole window (%d s × %d)', (group, period, n) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'MarketGammaReport',
      MetricName: 'RunsCompleted',
      Dimensions: [{ Name: 'Group', Value: group }],
      Statistic: 'Sum',
      Period: period,
      EvaluationPeriods: n,
      DatapointsToAlarm: n,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged: the app synthesises', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('is really checking: the same stack without its acknowledgements does not synthesise', () => {
    const bare = new App({ context: CDK_CONTEXT });
    const { GammaReportStack } = jest.requireActual('../lib/gamma-report-stack');
    const { readConfig } = jest.requireActual('../lib/config');
    const { AwsSolutionsChecks } = jest.requireActual('cdk-nag');
    const { Validations } = jest.requireActual('aws-cdk-lib');
    new GammaReportStack(bare, 'Bare', { config: readConfig((k: string) => bare.node.tryGetContext(k)) });
    Validations.of(bare).addPlugins(new AwsSolutionsChecks(bare));
    expect(() => bare.synth()).toThrow(/AwsSolutions/);
  });
});
