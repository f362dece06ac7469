// `grants`: the policy statements of every version of a layer, public versions flagged, and the
// newest version compared with the sharing the app declares.
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AwsOptions, forEachRegion, mapLimit, OperationResult } from "./aws";
import { listLayerVersions, readPolicy } from "./layer-reads";
import { Principal, PolicyStatement, samePrincipal } from "./policy";
import { PER_VERSION_CONCURRENCY } from "./versions";

export interface VersionGrants {
  readonly version: number;
  readonly statements: PolicyStatement[];
  /** Any account can read this version. */
  readonly public: boolean;
}

export interface RegionGrants {
  /** Newest first. */
  readonly versions: VersionGrants[];
  /** The newest version's principals that the app does not declare (undefined without a declaration). */
  readonly undeclared?: Principal[];
  /** Declared principals the newest version does not grant (undefined without a declaration). */
  readonly missing?: Principal[];
}

export interface GrantsOptions extends AwsOptions {
  /** The principals the app declares (see `declaredFromDeployment`). @default - no comparison */
  readonly declared?: readonly Principal[];
}

/** Reads the grants of every version of `layerName` in each region: one GetLayerVersionPolicy per version. */
export async function layerGrants(
  layerName: string,
  regions: readonly string[],
  options: GrantsOptions = {},
): Promise<OperationResult<RegionGrants>> {
  return forEachRegion(layerName, regions, options, (client) => regionGrants(client, layerName, options.declared));
}

async function regionGrants(client: LambdaClient, layerName: string, declared: readonly Principal[] | undefined): Promise<RegionGrants> {
  const listed = await listLayerVersions(client, layerName);
  const versions = await mapLimit(listed, PER_VERSION_CONCURRENCY, async (v): Promise<VersionGrants> => {
    const statements = await readPolicy(client, layerName, v.version);
    return { version: v.version, statements, public: statements.some((s) => s.principal.kind === "public") };
  });
  if (!declared || versions.length === 0) return { versions };
  return { versions, ...compareWithDeclared(versions[0].statements, declared) };
}

/** Principals granted but not declared, and declared but not granted. */
export function compareWithDeclared(
  statements: readonly PolicyStatement[],
  declared: readonly Principal[],
): { undeclared: Principal[]; missing: Principal[] } {
  const granted = statements.map((s) => s.principal);
  return {
    undeclared: granted.filter((g, i) => !declared.some((d) => samePrincipal(d, g)) && granted.findIndex((o) => samePrincipal(o, g)) === i),
    missing: declared.filter((d) => !granted.some((g) => samePrincipal(d, g))),
  };
}
