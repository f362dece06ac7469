// The provider classes that only some stacks use (archive_file packaging, S3 upload, SSM
// parameters, functions and their region guard), each required on first use: a synth loads the
// generated classes of the resources it writes and no others (lambda-function's alone takes about
// 6 ms to load, more than the layer and permission classes every layer uses).
import type * as DataArchiveFileModule from "@cdktf/provider-archive/lib/data-archive-file";
import type * as ArchiveProviderModule from "@cdktf/provider-archive/lib/provider";
import type * as DataAwsRegionModule from "@cdktf/provider-aws/lib/data-aws-region";
import type * as LambdaFunctionModule from "@cdktf/provider-aws/lib/lambda-function";
import type * as S3ObjectModule from "@cdktf/provider-aws/lib/s3-object";
import type * as SsmParameterModule from "@cdktf/provider-aws/lib/ssm-parameter";

export const providerClasses = {
  dataArchiveFile: () => (require("@cdktf/provider-archive/lib/data-archive-file") as typeof DataArchiveFileModule).DataArchiveFile,
  archiveProvider: () => (require("@cdktf/provider-archive/lib/provider") as typeof ArchiveProviderModule).ArchiveProvider,
  dataAwsRegion: () => (require("@cdktf/provider-aws/lib/data-aws-region") as typeof DataAwsRegionModule).DataAwsRegion,
  lambdaFunction: () => (require("@cdktf/provider-aws/lib/lambda-function") as typeof LambdaFunctionModule).LambdaFunction,
  s3Object: () => (require("@cdktf/provider-aws/lib/s3-object") as typeof S3ObjectModule).S3Object,
  ssmParameter: () => (require("@cdktf/provider-aws/lib/ssm-parameter") as typeof SsmParameterModule).SsmParameter,
};
