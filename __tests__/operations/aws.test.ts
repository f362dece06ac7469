// The region runner: bounded concurrency across regions, one region's failure isolated, a progress
// line per region. (Request counts are checked against the emulator, in operations.test.ts.)
import { forEachRegion, mapLimit } from "../../operations/aws";

const REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

test.each([1, 2, 4, 10])("at most %i regions at once", async (concurrency) => {
  let running = 0;
  let most = 0;
  const result = await forEachRegion("utils", REGIONS, { concurrency }, async (_client, region) => {
    most = Math.max(most, ++running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    return region.toUpperCase();
  });
  expect(most).toBe(Math.min(concurrency, REGIONS.length));
  expect(result.regions.map((r) => (r.ok ? r.data : r.error))).toEqual(REGIONS.map((r) => r.toUpperCase()));
});

test("a failing region is reported and the others finish; one progress line per region as it starts and ends", async () => {
  const progress: string[] = [];
  const result = await forEachRegion("utils", REGIONS, { concurrency: 2, onProgress: (l) => progress.push(l) }, async (_client, region) => {
    if (region === "us-west-2") throw Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
    return 1;
  });
  expect(result.failedRegions).toEqual(["us-west-2"]);
  expect(result.regions.find((r) => r.region === "us-west-2")).toMatchObject({
    ok: false,
    error: "AccessDeniedException: User is not authorized",
  });
  expect(result.regions.filter((r) => r.ok)).toHaveLength(5);
  expect(progress.filter((l) => l.endsWith(": started"))).toHaveLength(6);
  expect(progress).toContain("us-west-2: failed: AccessDeniedException: User is not authorized");
  expect(progress.filter((l) => / done in [\d.]+ s, 0 API calls$/.test(l))).toHaveLength(5);
});

test("mapLimit keeps the order", async () => {
  expect(await mapLimit([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
  expect(await mapLimit([], 4, async (n: number) => n)).toEqual([]);
});
