// The module hooks import-meta-paths.mjs registers (they run off the main thread).
import path from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = new URL("../", import.meta.url).href; // file:///.../tests/

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (result.format !== "module" || !url.startsWith(TESTS) || result.source == null) return result;
  const source = typeof result.source === "string" ? result.source : Buffer.from(result.source).toString("utf8");
  if (!/\bimport\.meta\.(dirname|filename)\b/.test(source)) return result;
  const filename = fileURLToPath(url);
  const set = `import.meta.filename = ${JSON.stringify(filename)}; import.meta.dirname = ${JSON.stringify(path.dirname(filename))}; `;
  // On the first line (after a #! line), so every other line keeps its number.
  const at = source.startsWith("#!") ? source.indexOf("\n") + 1 : 0;
  return { ...result, source: source.slice(0, at) + set + source.slice(at) };
}
