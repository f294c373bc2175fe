import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { GammaReportStack } from './gamma-report-stack';
import { acknowledgeNagFindings } from './nag';

/** The CDK app: configuration from context, the stack, and cdk-nag's AwsSolutions checks on everything. */
export function createApp(props: AppProps = {}): { app: App; stack: GammaReportStack } {
  const app = new App(props);
  const stack = new GammaReportStack(app, 'MarketGammaReport', {
    config: readConfig((key) => app.node.tryGetContext(key)),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
