// The database fixtures' archives (tests/fixtures/label-studio-1.23.2-db/*/*.tar.br): ustar,
// brotli-compressed. Shared by the database and signing tests and bench/database.mjs.
import fs from "node:fs";
import zlib from "node:zlib";

/** The files of a brotli-compressed ustar archive: Map name -> Buffer. */
export function untar(file) {
  const b = zlib.brotliDecompressSync(fs.readFileSync(file));
  const out = new Map();
  for (let o = 0; o + 512 <= b.length; ) {
    const h = b.subarray(o, o + 512);
    if (h.every((x) => x === 0)) break;
    const field = (a, n) => h.subarray(a, a + n).toString("latin1").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim(), 8);
    out.set(field(0, 100), b.subarray(o + 512, o + 512 + size));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
