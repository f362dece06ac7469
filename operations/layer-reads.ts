// The reads every operation shares: a layer's versions, the functions of the account that use
// them (from ListFunctions pages, whose configurations already list their layers) and a version's
// policy statements.
import {
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  ListLayerVersionsResponse,
} from "@aws-sdk/client-lambda";
import { isNotFound } from "./aws";
import { parsePolicy, PolicyStatement } from "./policy";

/** Page size of ListFunctions and ListLayerVersions: AWS returns at most 50 items a page. */
export const PAGE_SIZE = 50;

export interface LayerVersionSummary {
  readonly version: number;
  readonly layerVersionArn: string;
  readonly createdDate?: string;
  readonly description?: string;
  readonly compatibleRuntimes: string[];
  readonly compatibleArchitectures: string[];
}

/** Every version of the layer in the client's region, newest first (empty when the layer does not exist). */
export async function listLayerVersions(client: LambdaClient, layerName: string): Promise<LayerVersionSummary[]> {
  const versions: LayerVersionSummary[] = [];
  let marker: string | undefined;
  do {
    const page: ListLayerVersionsResponse = await client.send(
      new ListLayerVersionsCommand({ LayerName: layerName, Marker: marker, MaxItems: PAGE_SIZE }),
    );
    for (const v of page.LayerVersions ?? []) {
      if (v.Version === undefined || !v.LayerVersionArn) continue;
      versions.push({
        version: v.Version,
        layerVersionArn: v.LayerVersionArn,
        createdDate: v.CreatedDate,
        description: v.Description,
        compatibleRuntimes: v.CompatibleRuntimes ?? [],
        compatibleArchitectures: v.CompatibleArchitectures ?? [],
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return versions.sort((a, b) => b.version - a.version);
}

/**
 * Version number -> the functions (and published function versions, as `name:3`) of this account
 * and region whose configuration lists that version of the layer. `unversionedArn` is the layer's
 * ARN without the version.
 */
export async function layerUsage(client: LambdaClient, unversionedArn: string): Promise<Map<number, string[]>> {
  const usage = new Map<number, string[]>();
  const prefix = `${unversionedArn}:`;
  let marker: string | undefined;
  do {
    // FunctionVersion ALL: a published function version keeps the layer versions it was published with.
    const page = await client.send(new ListFunctionsCommand({ FunctionVersion: "ALL", Marker: marker, MaxItems: PAGE_SIZE }));
    for (const fn of page.Functions ?? []) {
      for (const layer of fn.Layers ?? []) {
        if (!layer.Arn?.startsWith(prefix)) continue;
        const version = Number(layer.Arn.slice(prefix.length));
        const name = !fn.Version || fn.Version === "$LATEST" ? fn.FunctionName! : `${fn.FunctionName}:${fn.Version}`;
        usage.set(version, [...(usage.get(version) ?? []), name]);
      }
    }
    marker = page.NextMarker;
  } while (marker);
  for (const names of usage.values()) names.sort();
  return usage;
}

/** The statements of one version's policy; none when the version has no policy. */
export async function readPolicy(client: LambdaClient, layerName: string, version: number): Promise<PolicyStatement[]> {
  try {
    const r = await client.send(new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: version }));
    return parsePolicy(r.Policy);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** `arn:…:layer:name:7` -> `arn:…:layer:name`. */
export function withoutVersion(layerVersionArn: string): string {
  return layerVersionArn.slice(0, layerVersionArn.lastIndexOf(":"));
}
