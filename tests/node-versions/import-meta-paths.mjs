// Preloaded (NODE_OPTIONS=--import) by scripts/test-node-versions.sh on a Node without
// import.meta.dirname and import.meta.filename (added in Node 20.11 and 21.2; Node 18 has
// neither). Some tests under tests/ find the repository with them; this gives those test
// modules the two values Node 20.11+ gives. Test harness only: the hooks touch no module
// outside tests/ (the package, js/ and examples/ run exactly as shipped), and are registered
// only in processes whose entry is a file under tests/ (not in the CLI or npm processes the
// tests start). A test module's first line gets the two assignments, so every line keeps
// its number in stack traces.
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = path.dirname(path.dirname(fileURLToPath(import.meta.url))) + path.sep;
const entry = process.argv[1] ? path.resolve(process.argv[1]) : "";

if (!("dirname" in import.meta) && entry.startsWith(TESTS)) register("./import-meta-paths-hooks.mjs", import.meta.url);
