// The region check for a function whose region is only known at plan (a provider region from a
// variable, usual with Terraform Cloud workspaces): the same rule as the synth-time check in
// attachment.ts, written as a Terraform precondition that compares each layer's region with the
// provider's, read through `data "aws_region"`. `terraform plan` then fails with the same message.
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { Op, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AttachedLayer } from "../checks/attachment";
import { errors } from "../core/errors";
import { providerClasses } from "../aws/provider-classes";

/**
 * Adds to `resource` one precondition per attached layer whose region is known at synth.
 * Nothing is added when no layer's region is known.
 */
export function regionGuard(
  scope: Construct,
  resource: LambdaFunction,
  provider: TerraformProvider | undefined,
  layers: readonly AttachedLayer[],
) {
  const known = layers.filter((l): l is AttachedLayer & { region: string } => l.region !== undefined);
  if (known.length === 0) return undefined;
  // `id` is the region name in AWS provider 5.x and 6.x alike (6.x deprecates `name`).
  const region = new (providerClasses.dataAwsRegion())(scope, "provider-region", { provider });
  const preconditions = [...new Set(known.map((l) => l.region))].map((layerRegion) => {
    const labels = known.filter((l) => l.region === layerRegion).map((l) => l.label);
    return {
      condition: Op.eq(region.id, layerRegion),
      errorMessage: `[${scope.node.path}] ${errors.layerInOtherRegion(labels.join(", "), layerRegion, region.id).message}`,
    };
  });
  resource.lifecycle = { ...resource.lifecycle, precondition: [...(resource.lifecycle?.precondition ?? []), ...preconditions] };
  return region;
}
