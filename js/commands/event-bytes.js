// An event's JSON bytes with some of its top-level members replaced, every other byte kept:
// rows and bodies stay exactly those of the original (ints past 2^53, 1.0 next to 1, key
// order), which a JSON.parse and JSON.stringify round trip would not keep. Used by trigger
// (events made from the samples). Options a command adds (--no-ssrf-protection, signing) go
// to the library beside the event instead (its second argument).
//
// Where each member's value is comes from the library's own reader (`locatePath`: UTF-8 byte
// offsets, and for a duplicate key the last value, the one Python's json.loads keeps).
"use strict";

/**
 * The event's bytes with the members named in `replace` ({ key: JSON text }, plain names) set:
 * each member's value is replaced where it stands, a missing one is added at the end. null when
 * the bytes are not a JSON object.
 */
function withMembers(lib, bytes, replace) {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = b.toString("utf8");
  const root = lib.locatePath(text, "");
  if (!root || b[root.start] !== 0x7b) return null;
  const close = root.end - 1;
  const empty = !/\S/.test(b.toString("utf8", root.start + 1, close));
  const spans = [];
  let tail = "";
  for (const [key, json] of Object.entries(replace)) {
    const at = lib.locatePath(text, key);
    if (at?.exact) spans.push([at.start, at.end, json]);
    else tail += `${empty && !tail ? "" : ", "}${JSON.stringify(key)}: ${json}`;
  }
  spans.sort((x, y) => x[0] - y[0]);
  const parts = [];
  let from = 0;
  for (const [start, end, json] of spans) {
    parts.push(b.subarray(from, start), Buffer.from(json, "utf8"));
    from = end;
  }
  parts.push(b.subarray(from, close), Buffer.from(tail, "utf8"), b.subarray(close));
  return Buffer.concat(parts);
}

module.exports = { withMembers };
