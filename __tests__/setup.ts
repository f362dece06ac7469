// Every test process gets its own archive cache, so tests never read or write the repo's.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

if (!process.env.CDKTF_LAYERS_TEST_KEEP_CACHE) {
  process.env.CDKTF_LAYERS_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "layers-cache-"));
}

import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
