// The shared description of the synth benchmark's workload (layers, regions, accounts).
export interface SynthBenchPlan {
  readonly regions: string[];
  readonly accounts: string[];
  readonly cacheDir: string;
  readonly layers: Array<{ name: string; source: string; zip: string; sha256: string; base64Sha256: string }>;
}
