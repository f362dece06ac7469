// LayerRollout: a rollout description (layers, ordered waves of regions, functions) turned into one
// cdktf stack per region or per wave, each with its own state (local, or one Terraform Cloud
// workspace per stack), chained so that `cdktf deploy '*'` publishes wave by wave and stops at the
// first failing wave. Each layer is built once for the whole app. A manifest is written at synth.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Annotations, App, CloudBackend, ISynthesisSession, NamedCloudWorkspace, TaggedCloudWorkspaces, TerraformStack } from "cdktf";
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";
import * as fs from "fs";
import * as path from "path";
import { admitsProvider6, assumeRoleOf, awsProviderFor, setAwsProviderVersion } from "../aws/aws-provider";
import { errors, LayerValidationError } from "../core/errors";
import { cleanHclOnSynth } from "../terraform/hcl-output";
import { buildLayerArchive, LayerArchive } from "../packaging/layer-archive";
import { archiveOptionsOf, LambdaLayer, LambdaLayerOptions } from "./lambda-layer";
import { LayeredFunction, LayeredFunctionProps, LayerReference } from "./layered-function";
import { LayerFanout, ProviderMode, s3ForRegion } from "./layer-fanout";
import { localStateBackend } from "../terraform/local-state";
import { isOptInRegion, parseRegions } from "../aws/regions";

/** A function deployed with the rollout, in every region or the listed ones. */
export interface RolloutFunction extends Omit<LayeredFunctionProps, "layers" | "provider" | "region"> {
  /** Layers in merge order: a `layerName` of the rollout's layers, or a versioned ARN ("{region}" is replaced). @default [] */
  readonly layers?: readonly string[];
  /** Regions to deploy to. @default - every region of the rollout */
  readonly regions?: readonly string[];
}

/** One Terraform Cloud workspace per stack. Credentials come from the environment or TFC dynamic credentials. */
export interface RolloutCloudOptions {
  readonly organization: string;
  /** Workspace name = prefix + stack name. @default "" */
  readonly workspacePrefix?: string;
  /** Select workspaces by tags instead of names; each stack adds a `stack:<name>` tag of its own. @default - named workspaces */
  readonly workspaceTags?: readonly string[];
  /** Terraform Cloud project. @default - the organization's default project */
  readonly project?: string;
  /** @default "app.terraform.io" */
  readonly hostname?: string;
}

export interface LayerRolloutProps {
  /** The layers to publish in every region. */
  readonly layers: readonly LambdaLayerOptions[];
  /** Ordered waves of regions, such as [["us-east-1"], ["us-west-2", "eu-west-1"]]. Each region once. */
  readonly waves: ReadonlyArray<readonly string[]>;
  /** One stack per region (the default: every plan stays small) or per wave. @default "region" */
  readonly stackPer?: "region" | "wave";
  /** How a wave stack reaches its regions. @default "aliases" */
  readonly providerMode?: ProviderMode;
  /** Terraform Cloud workspaces instead of local state. @default - local state in each stack folder */
  readonly cloud?: RolloutCloudOptions;
  /** Functions that use the layers. @default [] */
  readonly functions?: readonly RolloutFunction[];
  /** A role each region's provider assumes; "{region}" is replaced. @default - credentials from the environment */
  readonly assumeRoleArn?: string;
  /** AWS provider version constraint for every stack. @default ">= 5.80, < 7.0" (6.x only in region-argument mode) */
  readonly awsProviderVersion?: string;
  /** Write rollout-<id>.json and rollout-<id>.md into the output folder at synth. @default true */
  readonly manifest?: boolean;
}

/** One stack of a rollout. */
export interface RolloutStack {
  readonly stack: TerraformStack;
  readonly name: string;
  readonly wave: number;
  readonly regions: readonly string[];
  /** The Terraform Cloud workspace, when `cloud` is set. */
  readonly workspace?: string;
}

const WORKSPACE_NAME = /^[A-Za-z0-9_-]{1,90}$/;
const ORGANIZATION = /^[A-Za-z0-9_-]{1,90}$/;
/** HCP Terraform's rule: 1-255 letters, digits, colons, hyphens and underscores. */
const TAG = /^[A-Za-z0-9:_-]{1,255}$/;

/**
 * A staged multi-region rollout of layers (and the functions using them).
 *
 * @example
 * new LayerRollout(app, "layers", {
 *   layers: [{ layerName: "shared-utils", source: "layers/python-shared-utils", compatibleRuntimes: ["python3.12"] }],
 *   waves: [["us-east-1"], ["us-west-2", "eu-west-1"], ["ap-southeast-2", "eu-central-1"]],
 *   cloud: { organization: "acme", workspacePrefix: "lambda-" },
 * });
 */
export class LayerRollout extends Construct {
  public readonly stacks: readonly RolloutStack[];
  public readonly waves: ReadonlyArray<readonly string[]>;
  /** layerName -> the one archive every stack publishes. */
  public readonly archives: ReadonlyMap<string, LayerArchive>;
  private readonly layersByStack = new Map<TerraformStack, Map<string, (region: string) => LambdaLayer>>();

  constructor(app: App, id: string, props: LayerRolloutProps) {
    super(app, `${id}-rollout`);
    // The rollout holds no constructs (its stacks are the app's): it leaves the app's list of children
    // and keeps its scope, so its path, App.of and context lookups stay as they were. CDK Terrain's
    // failOnConstructsOutsideOfStacks (on in `cdktn init` apps and in its Testing.app()) refuses any
    // child of the App that is not a stack; a child nobody can find changes nothing in the output.
    app.node.tryRemoveChild(this.node.id);
    try {
      this.waves = parseWaves(props.waves);
      validateLayers(props.layers, this.waves.flat());
      validateFunctions(props.functions ?? [], props.layers, this.waves.flat());
      if (props.providerMode === "region-argument" && props.awsProviderVersion !== undefined && !admitsProvider6(props.awsProviderVersion))
        throw errors.regionArgumentNeedsProvider6(props.awsProviderVersion);
      if (props.cloud) validateCloud(props.cloud, id, this.waves, props.stackPer ?? "region");
      this.archives = new Map(props.layers.map((layer) => [layer.layerName, buildLayerArchive(archiveOptionsOf(layer))]));
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }

    const stacks: RolloutStack[] = [];
    let previousWave: TerraformStack[] = [];
    this.waves.forEach((regions, index) => {
      const wave = index + 1;
      const groups =
        (props.stackPer ?? "region") === "region"
          ? regions.map((region) => ({ name: `${id}-${region}`, regions: [region] }))
          : [{ name: `${id}-wave-${wave}`, regions }];
      const thisWave = groups.map((group) => {
        const stack = new TerraformStack(app, group.name);
        const workspace = this.configureBackend(stack, group.name, wave, props.cloud);
        this.populate(stack, group.regions, props);
        for (const earlier of previousWave) stack.addDependency(earlier);
        stacks.push({ stack, name: group.name, wave, regions: group.regions, workspace });
        return stack;
      });
      previousWave = thisWave;
    });
    this.stacks = stacks;
    for (const [layerName, archive] of this.archives) {
      for (const warning of archive.warnings) Annotations.of(stacks[0].stack).addWarning(`${layerName}: ${warning}`);
    }
    if (props.manifest ?? true) {
      addCustomSynthesis(stacks[0].stack, { onSynthesize: (session: ISynthesisSession) => this.writeManifest(session.outdir, id) });
    }
  }

  /** The stack that publishes in `region`. */
  public stackFor(region: string): RolloutStack {
    const found = this.stacks.find((s) => s.regions.includes(region));
    if (!found) throw errors.regionNotInFanout(this.node.path, region, this.waves.flat());
    return found;
  }

  /** The layer `layerName` as published in `region`. */
  public layerIn(layerName: string, region: string): LambdaLayer {
    const { stack } = this.stackFor(region);
    const get = this.layersByStack.get(stack)?.get(layerName);
    if (!get) throw errors.unknownRolloutLayer("layerName", layerName, [...this.archives.keys()]);
    return get(region);
  }

  /** The rollout as data: waves, stacks, workspaces, layers and their content hashes. */
  public describe(): RolloutManifest {
    return {
      waves: this.stacks.reduce<RolloutManifest["waves"]>((acc, s) => {
        (acc[s.wave - 1] ??= { wave: s.wave, regions: [], stacks: [] }).regions.push(...s.regions);
        acc[s.wave - 1].stacks.push({
          name: s.name,
          regions: [...s.regions],
          workspace: s.workspace,
          dependsOn: s.stack.dependencies.map((d) => d.node.id),
        });
        return acc;
      }, []),
      layers: [...this.archives].map(([layerName, a]) => ({
        layerName,
        contentSha256: a.contentSha256,
        unzippedBytes: a.unzippedBytes,
      })),
      optInRegions: this.waves.flat().filter(isOptInRegion),
    };
  }

  private configureBackend(stack: TerraformStack, name: string, wave: number, cloud: RolloutCloudOptions | undefined): string | undefined {
    cleanHclOnSynth(stack);
    if (!cloud) {
      localStateBackend(stack);
      return undefined;
    }
    const workspace = `${cloud.workspacePrefix ?? ""}${name}`;
    new CloudBackend(stack, {
      organization: cloud.organization,
      hostname: cloud.hostname,
      workspaces: cloud.workspaceTags
        ? new TaggedCloudWorkspaces([...cloud.workspaceTags, `stack:${name}`, `wave:${wave}`], cloud.project)
        : new NamedCloudWorkspace(workspace, cloud.project),
    });
    return cloud.workspaceTags ? `tags: ${[...cloud.workspaceTags, `stack:${name}`].join(", ")}` : workspace;
  }

  /** Providers, layers and functions of one stack. */
  private populate(stack: TerraformStack, regions: readonly string[], props: LayerRolloutProps): void {
    if (props.awsProviderVersion) setAwsProviderVersion(stack, props.awsProviderVersion);
    const roleFor = (region: string) => props.assumeRoleArn?.split("{region}").join(region);
    const layers = new Map<string, (region: string) => LambdaLayer>();
    const mode = props.providerMode ?? "aliases";
    const single = regions.length === 1;
    if (single) {
      new AwsProvider(stack, "aws", { region: regions[0], assumeRole: assumeRoleOf(roleFor(regions[0])) });
      for (const layer of props.layers) {
        const published = new LambdaLayer(stack, layer.layerName, {
          ...layer,
          s3: s3ForRegion(layer.s3, regions[0]),
          archive: this.archives.get(layer.layerName),
        });
        layers.set(layer.layerName, () => published);
      }
    } else {
      // One provider for every region: it can assume one role only, the first region's.
      if (mode === "region-argument") new AwsProvider(stack, "aws", { region: regions[0], assumeRole: assumeRoleOf(roleFor(regions[0])) });
      for (const layer of props.layers) {
        const fanout = new LayerFanout(stack, layer.layerName, {
          regions,
          layer,
          providerMode: mode,
          archive: this.archives.get(layer.layerName),
          assumeRoleArn: Object.fromEntries(regions.flatMap((r) => (roleFor(r) ? [[r, roleFor(r)!]] : []))),
        });
        layers.set(layer.layerName, (region) => fanout.layerIn(region));
      }
    }
    this.layersByStack.set(stack, layers);

    for (const fn of props.functions ?? []) {
      for (const region of regions.filter((r) => !fn.regions || fn.regions.includes(r))) {
        const refs: LayerReference[] = (fn.layers ?? []).map((l) =>
          layers.has(l) ? layers.get(l)!(region) : l.split("{region}").join(region),
        );
        const { regions: _regions, layers: _layers, ...rest } = fn;
        new LayeredFunction(stack, single ? fn.functionName : `${fn.functionName}-${region}`, {
          ...rest,
          layers: refs,
          provider: single || mode === "region-argument" ? undefined : awsProviderFor(stack, region, { assumeRoleArn: roleFor(region) }),
          region: !single && mode === "region-argument" ? region : undefined,
        });
      }
    }
  }

  private writeManifest(outdir: string, id: string): void {
    const manifest = this.describe();
    fs.writeFileSync(path.join(outdir, `rollout-${id}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.writeFileSync(path.join(outdir, `rollout-${id}.md`), manifestMarkdown(id, manifest));
  }
}

/** What `rollout-<id>.json` holds. */
export interface RolloutManifest {
  readonly waves: Array<{
    wave: number;
    regions: string[];
    stacks: Array<{ name: string; regions: string[]; workspace?: string; dependsOn: string[] }>;
  }>;
  /** Content identities, not zip hashes or zipped sizes: the manifest is the same whichever zlib built it. */
  readonly layers: Array<{ layerName: string; contentSha256: string; unzippedBytes: number }>;
  readonly optInRegions: string[];
}

/** The rollout manifest as the Markdown page written beside rollout-<id>.json. @group Internals */
export function manifestMarkdown(id: string, manifest: RolloutManifest): string {
  const lines = [
    `# Rollout ${id}`,
    "",
    "| wave | stack | regions | workspace | after |",
    "| --- | --- | --- | --- | --- |",
    ...manifest.waves.flatMap((w) =>
      w.stacks.map(
        (s) => `| ${w.wave} | ${s.name} | ${s.regions.join(", ")} | ${s.workspace ?? "local state"} | ${s.dependsOn.join(", ") || "-"} |`,
      ),
    ),
    "",
    "| layer | content sha256 | unzipped bytes |",
    "| --- | --- | --- |",
    ...manifest.layers.map((l) => `| ${l.layerName} | ${l.contentSha256.slice(0, 16)}… | ${l.unzippedBytes} |`),
  ];
  if (manifest.optInRegions.length > 0)
    lines.push("", `Opt-in regions (enable them in the account first): ${manifest.optInRegions.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

function parseWaves(waves: ReadonlyArray<readonly string[]> | undefined): string[][] {
  if (typeof waves === "string") throw errors.wavesNotAList(waves);
  if (!Array.isArray(waves) || waves.length === 0) throw errors.noRegions("waves", waves);
  const seen = new Set<string>();
  return waves.map((wave, index) => {
    if (typeof wave === "string") throw errors.waveNotAList(waves, wave, index);
    if (!Array.isArray(wave) || wave.length === 0) throw errors.emptyWave("waves", waves);
    const inThisWave = new Set<string>();
    for (const region of wave) {
      if (inThisWave.has(region)) throw errors.regionTwiceInWave("waves", waves, region, index + 1);
      if (seen.has(region)) throw errors.regionInTwoWaves("waves", waves, region);
      inThisWave.add(region);
      seen.add(region);
    }
    parseRegions([...seen], "waves");
    return [...wave];
  });
}

function validateLayers(layers: readonly LambdaLayerOptions[], regions: readonly string[]): void {
  const names = (layers ?? []).map((l) => l.layerName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw errors.duplicateLayerName(names, dup);
  // Every stack publishes from the bucket of its own region, wherever the rollout puts the regions.
  for (const layer of layers ?? []) {
    if (layer.s3 && regions.length > 1 && !layer.s3.bucket.includes("{region}")) throw errors.s3BucketNeedsRegion(layer.s3.bucket);
  }
}

function validateFunctions(functions: readonly RolloutFunction[], layers: readonly LambdaLayerOptions[], regions: string[]): void {
  const known = layers.map((l) => l.layerName);
  const functionNames = new Set<string>();
  for (const fn of functions) {
    // Layers and functions are constructs of the same stacks, named after layerName and functionName.
    if (known.includes(fn.functionName))
      throw errors.rolloutNameClash("functions[].functionName", fn.functionName, `the layer ${fn.functionName}`);
    if (functionNames.has(fn.functionName)) throw errors.rolloutNameClash("functions[].functionName", fn.functionName, "another function");
    functionNames.add(fn.functionName);
    if (fn.regions !== undefined && (!Array.isArray(fn.regions) || fn.regions.length === 0))
      throw errors.noRegions(`functions[${fn.functionName}].regions`, fn.regions);
    for (const ref of fn.layers ?? []) {
      if (!ref.startsWith("arn:") && !known.includes(ref))
        throw errors.unknownRolloutLayer(`functions[${fn.functionName}].layers`, ref, known);
    }
    for (const region of fn.regions ?? []) {
      if (!regions.includes(region)) throw errors.regionNotInFanout(`functions[${fn.functionName}]`, region, regions);
    }
  }
}

function validateCloud(cloud: RolloutCloudOptions, id: string, waves: ReadonlyArray<readonly string[]>, stackPer: "region" | "wave"): void {
  if (typeof cloud.organization !== "string" || !ORGANIZATION.test(cloud.organization))
    throw errors.invalidCloudOrganization(cloud.organization);
  for (const tag of cloud.workspaceTags ?? []) {
    if (typeof tag !== "string" || !TAG.test(tag)) throw errors.invalidWorkspaceTag("cloud.workspaceTags", tag);
  }
  const names = stackPer === "region" ? waves.flat().map((r) => `${id}-${r}`) : waves.map((_, i) => `${id}-wave-${i + 1}`);
  for (const name of names) {
    // Tagged workspaces: each stack adds a tag of its own, named after the rollout id. Named ones: prefix + stack name.
    if (cloud.workspaceTags) {
      if (!TAG.test(`stack:${name}`)) throw errors.invalidWorkspaceTag("id", `stack:${name}`);
      continue;
    }
    const workspace = `${cloud.workspacePrefix ?? ""}${name}`;
    if (!WORKSPACE_NAME.test(workspace)) throw errors.invalidWorkspaceName("cloud.workspacePrefix", workspace);
  }
}
