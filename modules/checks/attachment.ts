// The rules for attaching layers to a function, as one pure check over everything known at synth:
// count, duplicates, runtime, architecture, region, total size, and files that shadow each other.
import { errors } from "../core/errors";
import { MAX_LAYERS_PER_FUNCTION, MAX_UNZIPPED_BYTES } from "../aws/limits";
import { binariesForeignTo, NativeBinary } from "./native-binaries";
import { Architecture, Runtime } from "../aws/runtime";

/** What may be known about a layer version: everything the attachment checks look at. */
export interface LayerFacts {
  /** Runtimes the layer declares, when known. */
  readonly compatibleRuntimes?: readonly Runtime[];
  /** Architectures the layer declares, when known (undefined: not declared). */
  readonly compatibleArchitectures?: readonly Architecture[];
  /** Unzipped size, when known (layers built here). */
  readonly unzippedBytes?: number;
  /** The region the version lives in, when known. */
  readonly region?: string;
  /** Files the layer puts under /opt, when known (layers built here). */
  readonly entries?: readonly string[];
  /**
   * The compiled code the layer holds and what it was built for, when known (layers built here).
   * A layer that declares no architectures is judged by these.
   */
  readonly nativeBinaries?: readonly NativeBinary[];
}

/** What is known about one attached layer. @group Internals */
export interface AttachedLayer extends LayerFacts {
  /** How messages name the layer: its construct path, or its ARN. */
  readonly label: string;
  /** Two attachments with the same identity are the same layer (any version). */
  readonly identity: string;
}

/** The function the layers are attached to. @group Internals */
export interface AttachmentTarget {
  readonly runtime: Runtime;
  readonly architecture: Architecture;
  readonly region?: string;
  readonly codeUnzippedBytes?: number;
}

/** How many shadowed files a warning names before it summarises. */
const NAMED_FILES = 5;

/** Checks an ordered list of layers against a function. Errors fail the synth; warnings do not. @group Internals */
export function checkAttachments(target: AttachmentTarget, layers: readonly AttachedLayer[]): { errors: string[]; warnings: string[] } {
  const problems: string[] = [];
  const labels = layers.map((l) => l.label);
  if (layers.length > MAX_LAYERS_PER_FUNCTION) problems.push(errors.tooManyLayers(labels).message);

  layers.forEach((layer, i) => {
    const earlier = layers.findIndex((other) => other.identity === layer.identity);
    if (earlier < i) problems.push(errors.duplicateLayer(labels, layer.label, layers[earlier].label).message);
    if (layer.compatibleRuntimes && !layer.compatibleRuntimes.some((r) => r.sameAs(target.runtime))) {
      problems.push(
        errors.incompatibleRuntime(
          layer.label,
          target.runtime.name,
          layer.compatibleRuntimes.map((r) => r.name),
        ).message,
      );
    }
    if (layer.compatibleArchitectures && !layer.compatibleArchitectures.some((a) => a.sameAs(target.architecture))) {
      problems.push(
        errors.incompatibleArchitecture(
          layer.label,
          target.architecture.name,
          layer.compatibleArchitectures.map((a) => a.name),
        ).message,
      );
    }
    // Lambda lets a layer without declared architectures attach anywhere: its binaries decide.
    const foreign = layer.compatibleArchitectures ? [] : binariesForeignTo(layer.nativeBinaries ?? [], target.architecture);
    if (foreign.length > 0) {
      problems.push(
        errors.undeclaredArchitectureBinaries(
          layer.label,
          target.architecture.name,
          foreign.map((b) => b.name),
        ).message,
      );
    }
    if (layer.region && target.region && layer.region !== target.region) {
      problems.push(errors.layerInOtherRegion(layer.label, layer.region, target.region).message);
    }
  });

  const sizes = [target.codeUnzippedBytes, ...layers.map((l) => l.unzippedBytes)];
  const known = sizes.filter((s): s is number => s !== undefined);
  const total = known.reduce((a, b) => a + b, 0);
  if (total > MAX_UNZIPPED_BYTES) {
    const parts = [`code ${target.codeUnzippedBytes ?? "?"}`, ...layers.map((l) => `${l.label} ${l.unzippedBytes ?? "?"}`)];
    problems.push(errors.functionTooLarge(total, MAX_UNZIPPED_BYTES, parts).message);
  }
  return { errors: problems, warnings: shadowingWarnings(layers) };
}

/** Files shipped by two attached layers: the later layer's copy is the one the function sees. @group Internals */
export function shadowingWarnings(layers: readonly AttachedLayer[]): string[] {
  const owner = new Map<string, number>();
  const overlaps = new Map<string, string[]>(); // "i>j" -> paths
  layers.forEach((layer, j) => {
    for (const entry of layer.entries ?? []) {
      const i = owner.get(entry);
      if (i !== undefined && i !== j) {
        const key = `${i}>${j}`;
        overlaps.set(key, [...(overlaps.get(key) ?? []), entry]);
      }
      owner.set(entry, j);
    }
  });
  return [...overlaps.entries()].map(([key, paths]) => {
    const [i, j] = key.split(">").map(Number);
    const named = paths
      .slice(0, NAMED_FILES)
      .map((p) => `/opt/${p}`)
      .join(", ");
    const more = paths.length > NAMED_FILES ? ` and ${paths.length - NAMED_FILES} more` : "";
    return (
      `layers ${layers[i].label} (position ${i + 1}) and ${layers[j].label} (position ${j + 1}) both ship ${named}${more}: ` +
      `Lambda merges layers into /opt in the order listed, so the copies from ${layers[j].label} win`
    );
  });
}
