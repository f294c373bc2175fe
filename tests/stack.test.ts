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
import { RUN_TIMEOUT, THROTTLE_WAIT_SECONDS } from '../lib/runs';
import { CONTENT_SECURITY_POLICY, NOT_FOUND_PAGE } from '../lib/site';
import { ROOT, tickers } from './helpers';

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
function definition(t = template): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const [, sm] = only(t, 'AWS::StepFunctions::StateMachine');
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
const UNDERLYING = functionId(template, 'Fetches a batch of chains');
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
const BUCKET = resources(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('SiteBucket'))![0];
const RUNS_BUCKET = resources(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('RunsBucket'))![0];

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
  ])(
    'start the %s run at %s in %s, naming its watchlist, not the symbols',
    (group, cron, zone, underlyings) => {
      const s = resources(template, 'AWS::Scheduler::Schedule')
        .map(([, r]) => r.Properties as { Target: { Input: string } } & Record<string, unknown>)
        .find((x) => JSON.parse(x.Target.Input).group === group)!;
      expect(s.ScheduleExpression).toBe(cron);
      expect(s.ScheduleExpressionTimezone).toBe(zone);
      expect(JSON.parse(s.Target.Input)).toEqual({ group, watchlist: `watchlists/${group}.csv` });
      expect(s.Description).toBe(`Gamma report, ${group}: ${underlyings.length} underlyings`);
      expect(s.Target).toMatchObject({
        Arn: { Ref: only(template, 'AWS::StepFunctions::StateMachine')[0] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [only(template, 'AWS::SQS::Queue')[0], 'Arn'] } },
      });
      expect(s.GroupName).toBe(only(template, 'AWS::Scheduler::ScheduleGroup')[1].Properties.Name);
    },
  );

  it('take the whole optionable universe: 5,000 symbols fit the 512-character description and the deploy', () => {
    const symbols = tickers(5000);
    const t = synth({ equityUnderlyings: symbols }).template;
    const equity = resources(t, 'AWS::Scheduler::Schedule')
      .map(([, r]) => r.Properties as { Target: { Input: string }; Description: string })
      .find((x) => JSON.parse(x.Target.Input).group === 'equity')!;
    expect(equity.Description).toBe('Gamma report, equity: 5000 underlyings');
    expect(equity.Description.length).toBeLessThanOrEqual(512);
    expect(equity.Target.Input).toBe('{"group":"equity","watchlist":"watchlists/equity.csv"}');
    // The list travels once, in the deploy-time call that writes the watchlist, as one symbol a line.
    const [, call] = resources(t, 'Custom::AWS').find(([, r]) =>
      JSON.stringify(r.Properties.Create).includes('watchlists/equity.csv'),
    )!;
    const text = (call.Properties.Create as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
      .map((p) => (typeof p === 'string' ? p : ''))
      .join('');
    expect((JSON.parse(text) as { parameters: { Body: string } }).parameters.Body.split('\n')).toEqual(
      symbols,
    );
    expect(definition(t).States['Each underlying']).toMatchObject({ ItemBatcher: { MaxItemsPerBatch: 5 } });
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
  const map = states['Each underlying'] as Record<string, unknown> & {
    ItemProcessor: { States: Record<string, Record<string, unknown>> };
  };
  const inner = map.ItemProcessor.States;
  const RUNS = RUNS_BUCKET;
  const LAMBDA_SERVICE = [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
  ];
  const RETRIES = [
    {
      ErrorEquals: LAMBDA_SERVICE,
      IntervalSeconds: 2,
      MaxAttempts: 3,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
    {
      // Throttling: 10, 20, 40, 80, 160, then 300 s three times at most, each drawn below that.
      ErrorEquals: ['Lambda.TooManyRequestsException'],
      IntervalSeconds: 10,
      MaxAttempts: 8,
      BackoffRate: 2,
      MaxDelaySeconds: 300,
      JitterStrategy: 'FULL',
    },
    { ErrorEquals: ['Sandbox.Timedout', 'States.Timeout'], IntervalSeconds: 5, MaxAttempts: 1 },
  ];

  it('runs a distributed map over the watchlist it reads from S3, in batches, then publishes the index, within 2 hours', () => {
    expect(definition().StartAt).toBe('Each underlying');
    expect(map).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      // The schedule's input names the group's watchlist; each row of it is one underlying.
      ItemReader: {
        Resource: 'arn:<{Ref:AWS::Partition}>:states:::s3:getObject',
        ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['symbol'] },
        Parameters: { Bucket: `<{Ref:${RUNS}}>`, 'Key.$': '$.watchlist' },
      },
      ItemBatcher: { MaxItemsPerBatch: 5 },
      MaxConcurrency: 4,
      // Each batch's results go to S3, not into the run's state: only where they are is handed on.
      ResultWriter: {
        Resource: 'arn:<{Ref:AWS::Partition}>:states:::s3:putObject',
        Parameters: { Bucket: `<{Ref:${RUNS}}>`, Prefix: 'results' },
        WriterConfig: { Transformation: 'NONE', OutputType: 'JSON' },
      },
      ResultPath: '$.map',
      Label: 'Underlyings',
      Next: 'Publish index',
    });
    expect(map.ItemsPath).toBeUndefined();
    expect(states['Publish index']).toMatchObject({
      Type: 'Task',
      Parameters: { 'group.$': '$.group', 'manifest.$': '$.map.ResultWriterDetails.Key' },
      End: true,
    });
    const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
    expect(JSON.stringify(sm.Properties.DefinitionString)).toContain('"TimeoutSeconds\\":7200}');
  });

  it('tolerates failed batches up to the configured share, so one failed underlying never fails the run', () => {
    expect(map.ToleratedFailurePercentage).toBe(10);
    const other = definition(synth({ toleratedFailurePercent: 25, batchSize: 1 }).template).States;
    expect(other['Each underlying']).toMatchObject({
      ToleratedFailurePercentage: 25,
      ItemBatcher: { MaxItemsPerBatch: 1 },
    });
    // 0 leaves the field out: Step Functions' own default, where any failed batch fails the run.
    const strict = definition(synth({ toleratedFailurePercent: 0 }).template).States;
    expect(strict['Each underlying']!.ToleratedFailurePercentage).toBeUndefined();
  });

  it('retries what can clear, throttling long enough to wait out a busy account, and nothing else', () => {
    expect(inner['Analyse batch']).toMatchObject({
      Type: 'Task',
      // The function's 5 × 120 s and 30 s for the invocation: Step Functions never abandons a running function.
      TimeoutSeconds: 630,
      Retry: RETRIES,
    });
    // An underlying's own failure is in its batch's results: no catch hides a failed batch from the map.
    expect(inner['Analyse batch']!.Catch).toBeUndefined();
    expect(Object.keys(inner)).toEqual(['Analyse batch']);
    expect(states['Publish index']).toMatchObject({ TimeoutSeconds: 270, Retry: RETRIES });
    // The waits of one throttled batch, at their ceiling, as the run's time budget counts them.
    expect(THROTTLE_WAIT_SECONDS).toBe(10 + 20 + 40 + 80 + 160 + 300 + 300 + 300);
  });

  it('retries States.Timeout only on tasks that have a timeout, the one case where it can match', () => {
    const tasks = [...Object.values(states), ...Object.values(inner)].filter((s) => s.Type === 'Task');
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      const retried = (task.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      if (retried.includes('States.Timeout')) expect(task.TimeoutSeconds).toEqual(expect.any(Number));
    }
  });

  it('may read exactly the watchlists and write only under the results prefix of a private bucket', () => {
    const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
    const role = (sm.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const s3Statements = resources(template, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
      .filter((st) => [st.Action].flat().some((a) => String(a).startsWith('s3:')));
    expect(s3Statements).toEqual([
      {
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: objects(RUNS, 'results/*'),
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: ['watchlists/equity.csv', 'watchlists/crypto.csv'].map((k) => objects(RUNS, k)),
      },
    ]);
    // Its own child executions only.
    const [, mapPolicy] = resources(template, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('RunsStateMachineDistributedMapPolicy'),
    )!;
    expect(
      (mapPolicy.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement.map(
        (st) => st.Action,
      ),
    ).toEqual([
      'states:StartExecution',
      ['states:DescribeExecution', 'states:StopExecution'],
      'states:RedriveExecution',
    ]);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        // The results are kept as long as the logs.
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Prefix: 'results/', ExpirationInDays: 30, Status: 'Enabled' }),
          ]),
        },
      }),
    });
    // The distribution reads the report bucket only.
    expect(JSON.stringify(template.findResources('AWS::S3::BucketPolicy'))).not.toMatch(
      new RegExp(`${RUNS}[^"]*"[^}]*cloudfront`),
    );
  });

  it('writes each group’s watchlist to its key at deploy, allowed that key only', () => {
    const calls = resources(template, 'Custom::AWS')
      .map(([, r]) => r.Properties.Create as { 'Fn::Join': [string, unknown[]] })
      .filter((c) => typeof c === 'object' && JSON.stringify(c).includes('watchlists/'))
      .map((c) => JSON.parse(c['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'RUNS')).join('')));
    expect(calls).toEqual(
      [
        ['equity', 'SPX\nSPY'],
        ['crypto', 'BTC\nETH'],
      ].map(([group, Body]) => ({
        service: 'S3',
        action: 'putObject',
        parameters: {
          Bucket: 'RUNS',
          Key: `watchlists/${group}.csv`,
          Body,
          ContentType: 'text/csv; charset=utf-8',
        },
        physicalResourceId: { id: `watchlists/${group}.csv` },
      })),
    );
    for (const group of ['equity', 'crypto']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            { Action: 's3:PutObject', Effect: 'Allow', Resource: objects(RUNS, `watchlists/${group}.csv`) },
          ],
        },
      });
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
      // In the runs bucket, the map's results only.
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects(RUNS_BUCKET, 'results/*') },
    ]);
  });

  it('give a batch of underlyings each its two minutes, and the aggregate step the runs bucket', () => {
    const props = (id: string) => (template.toJSON().Resources[id] as Resource).Properties;
    expect(props(UNDERLYING)).toMatchObject({ Timeout: 5 * 120, MemorySize: 1024 });
    expect(props(AGGREGATE)).toMatchObject({
      Timeout: 240,
      Environment: { Variables: expect.objectContaining({ RUNS_BUCKET: { Ref: RUNS_BUCKET } }) },
    });
    expect((props(UNDERLYING).Environment as { Variables: object }).Variables).not.toHaveProperty(
      'RUNS_BUCKET',
    );
    // The map's concurrency, by which each invocation divides a venue's request rate (4 by default).
    expect((props(UNDERLYING).Environment as { Variables: object }).Variables).toHaveProperty(
      'MAX_CONCURRENCY',
      '4',
    );
    template.hasOutput('RunsBucketName', { Value: { Ref: RUNS_BUCKET } });
  });

  it('gives both functions the age limits of live snapshots from the context', () => {
    for (const description of ['^Fetches a batch of chains', '^Rewrites the index']) {
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

  // The longest gap (tests/config.test.ts) plus the 2-hour run, the hour the alarm reads in whole, and
  // half an hour for the metric to arrive: equity 73 + 3.5 = 76.5, so 77 hours; crypto 24 + 3.5, so 28.
  it.each([
    ['equity', 77],
    ['crypto', 28],
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
    // Every six hours: 6 + 3.5 hours, so 10.
    expect(names['MarketGammaReport-Heartbeat-crypto']!.Properties.EvaluationPeriods).toBe(10);
    // Weekly in New York: 169 hours across the November clock change, past the seven days an alarm reads.
    expect(names['MarketGammaReport-Heartbeat-equity']).toBeUndefined();
    Annotations.fromStack(other).hasWarning(
      '/MarketGammaReport/Alerts',
      Match.stringLikeRegexp('^No heartbeat alarm for the equity group: its runs are up to 169 hours apart'),
    );
  });

  it('adds the run and the alarm resolution to the gap', () => {
    expect(heartbeatHours(73, RUN_TIMEOUT)).toBe(77);
    expect(heartbeatHours(24.5, RUN_TIMEOUT)).toBe(28);
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
