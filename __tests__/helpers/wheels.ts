// A tiny pure-Python wheel made in the test, because PyPI is out of reach.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export /** Writes tinydep-1.0-py3-none-any.whl into `dir`, its greet() answering `word`. */
function makeWheel(dir: string, word = "hello"): string {
  const script = `
import sys, zipfile, hashlib, base64
d, word = sys.argv[1], sys.argv[2]
files = {
  "tinydep/__init__.py": "def greet(name):\\n    return '%s ' + name\\n" % word,
  "tinydep-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: tinydep\\nVersion: 1.0\\n",
  "tinydep-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for name, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(text.encode())}")
record.append("tinydep-1.0.dist-info/RECORD,,")
files["tinydep-1.0.dist-info/RECORD"] = "\\n".join(record) + "\\n"
with zipfile.ZipFile(d + "/tinydep-1.0-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
`;
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("python3", ["-c", script, dir, word]);
  return path.join(dir, "tinydep-1.0-py3-none-any.whl");
}
