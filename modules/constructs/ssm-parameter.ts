// Where consumers look for a layer's ARN: an SSM parameter in the layer's region holding the
// versioned ARN, updated in place exactly when a new version is published (the way AWS publishes
// the Powertools layer ARNs).
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { errors } from "../core/errors";
import { providerClasses } from "../aws/provider-classes";

/** An SSM parameter holding a layer's versioned ARN. */
export interface LayerSsmParameter {
  /**
   * The parameter's name; "{layerName}" is replaced. SSM is regional: every region of a fan-out or
   * rollout gets its own parameter of the same name.
   * @default "/lambda-layers/{layerName}/latest"
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
   */
  readonly name?: string;
  /** @default "Versioned ARN of Lambda layer <layerName>" */
  readonly description?: string;
}

export const DEFAULT_SSM_PARAMETER_NAME = "/lambda-layers/{layerName}/latest";

const NAME = /^[A-Za-z0-9_.\-/]+$/;

/**
 * The parameter name for a layer, checked against SSM's rules.
 * @throws LayerValidationError for characters SSM refuses, a relative path, a reserved prefix, too many levels or too long a name.
 * @group Internals
 */
export function ssmParameterName(options: LayerSsmParameter, layerName: string): string {
  const template = options.name ?? DEFAULT_SSM_PARAMETER_NAME;
  if (typeof template !== "string") throw errors.invalidSsmParameterName(template, "must be a string");
  if (Token.isUnresolved(template)) return template;
  const name = template.split("{layerName}").join(layerName);
  if (!NAME.test(name)) throw errors.invalidSsmParameterName(name, "may hold only letters, digits and _ . - /");
  if (name.includes("/") && !name.startsWith("/")) throw errors.invalidSsmParameterName(name, "must start with / when it is a path");
  if (/^\/?(aws|ssm)/i.test(name)) throw errors.invalidSsmParameterName(name, "must not start with aws or ssm (reserved by AWS)");
  if (name.split("/").filter((p) => p !== "").length > 15) throw errors.invalidSsmParameterName(name, "has more than 15 levels");
  if (name.length > 1011) throw errors.invalidSsmParameterName(name, "is longer than 1011 characters");
  return name;
}

/** Writes `layerVersionArn` into the parameter, through the layer's own provider or region. */
export function layerArnParameter(
  scope: Construct,
  options: LayerSsmParameter,
  layer: { layerName: string; layerVersionArn: string; provider?: TerraformProvider; region?: string },
): SsmParameter {
  return new (providerClasses.ssmParameter())(scope, "ssm-parameter", {
    name: ssmParameterName(options, layer.layerName),
    type: "String",
    value: layer.layerVersionArn,
    description: options.description ?? `Versioned ARN of Lambda layer ${layer.layerName}`,
    provider: layer.provider,
    region: layer.region,
  });
}
