import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** How the functions are bundled; `npm run bench` builds the same bundles to weigh and time them. */
export const LAMBDA_BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  loader: { '.hbs': 'text' },
  /** The Node.js 24 runtime provides the AWS SDK v3. */
  externalModules: ['@aws-sdk/*'],
  /** juice only parses HTML strings: cheerio's slim build (no fetch stack, no parse5) keeps the bundle small. */
  esbuildArgs: { '--alias:cheerio': 'cheerio/slim' },
  /** esbuild's size table on every synth and test run says nothing when the build is fine. */
  logLevel: nodejs.LogLevel.WARNING,
};

export interface ReportFunctionProps {
  /** Handler file under lambda/handlers/, without extension. */
  handler: 'underlying' | 'aggregate';
  description: string;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** @default 512 */
  memorySize?: number;
  /** @default 60 seconds */
  timeout?: Duration;
}

/**
 * A report Lambda with the house defaults: Node 24 on ARM64, minified esbuild bundle, templates inlined, JSON
 * logs at INFO (Powertools' Logger reads the level Lambda sets, AWS_LAMBDA_LOG_LEVEL), and a role that may
 * write only to its own log group; what else it may do is granted where it meets the other resources.
 */
export class ReportFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Not AWSLambdaBasicExecutionRole, whose log statement covers every log group in the account.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (the report function's role)`,
    });
    this.logGroup.grantWrite(role);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(ROOT, 'lambda', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      bundling: { ...LAMBDA_BUNDLING, forceDockerBundling: false },
    });
  }
}
