import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployCall } from './deploy-call';

/**
 * The screener's sorting and filtering script, the one script the site runs: the CSP allows it by the
 * SHA-256 of its exact text, which the index page inlines as it is (lambda/report/render.ts).
 */
const SCREENER_SCRIPT = readFileSync(
  join(__dirname, '..', 'templates', 'partials', 'screener-script.hbs'),
  'utf8',
);
const SCREENER_HASH = `'sha256-${createHash('sha256').update(SCREENER_SCRIPT).digest('base64')}'`;

/**
 * What the pages need and nothing more: inline styles and inline SVG, one script allowed by its hash, no
 * external request, links to JSON on the same site. Checked against the real pages in Chromium
 * (tests/browser/pages.test.ts).
 */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; script-src ${SCREENER_HASH}; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** The page CloudFront shows for a key the bucket does not hold, the index included before the first run. */
export const NOT_FOUND_KEY = '404.html';
export const NOT_FOUND_PAGE = readFileSync(join(__dirname, 'not-found.html'), 'utf8');

export interface ReportSiteProps {
  /** The site's own host name; with `certificateArn`, instead of the distribution's *.cloudfront.net name. */
  domainName?: string;
  /** An ACM certificate in us-east-1 covering `domainName`. */
  certificateArn?: string;
}

/** The report bucket, private, behind a CloudFront distribution that reads it through Origin Access Control. */
export class ReportSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Where readers find the site, with a trailing slash. */
  readonly url: string;
  /** The custom domain it is served on, if any. */
  readonly domainName: string | undefined;

  constructor(scope: Construct, id: string, props: ReportSiteProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), noncurrentVersionsToRetain: 3 },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    // CloudFront names are account-wide, not regional: the stack name and region keep a second stack, or
    // the same stack in a second region, from colliding with this one.
    const stack = Stack.of(this);
    const name = (what: string) => `${stack.stackName.slice(0, 40)}-${stack.region}-${what}`;

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: name('headers'),
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: false,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
      },
    });
    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccess', {
      originAccessControlName: name('oac'),
      description: 'The report site reads its private bucket',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });

    this.domainName = props.domainName && props.certificateArn ? props.domainName : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Market gamma report',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessControl }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // The origin access control may only read objects, so S3 answers a missing key with 403, not 404:
      // both become the friendly page with a 404, cached for a minute so a first report shows up soon.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 404,
        responsePagePath: `/${NOT_FOUND_KEY}`,
        ttl: Duration.minutes(1),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(this.domainName
        ? {
            domainNames: [this.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn!),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${this.domainName ?? this.distribution.distributionDomainName}/`;

    // The page must be there before the first run, so the stack writes it; runs never touch it.
    deployCall(this, 'NotFoundPage', {
      call: {
        service: 'S3',
        action: 'putObject',
        parameters: {
          Bucket: this.bucket.bucketName,
          Key: NOT_FOUND_KEY,
          Body: NOT_FOUND_PAGE,
          ContentType: 'text/html; charset=utf-8',
          CacheControl: 'public, max-age=300',
        },
        physicalResourceId: cr.PhysicalResourceId.of(NOT_FOUND_KEY),
      },
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(NOT_FOUND_KEY)],
        }),
      ],
    });
  }
}
