// An event's JSON bytes with some of its top-level members replaced, every other byte kept:
// rows and bodies stay exactly those of the original (ints past 2^53, 1.0 next to 1, key
// order), which a JSON.parse and JSON.stringify round trip would not keep. Used by trigger
// (events made from the samples). Options a command adds (--no-ssrf-protection, signing) go
// to the library beside the event instead (its second argument).
//
// Structure only: the library validates the result. A duplicate key is not removed, it is
// overridden: the library takes a duplicate key's last value, as Python's json.loads does.
"use strict";

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The end (exclusive) of the JSON string starting at i (a quote), or -1. */
function stringEnd(b, i) {
  for (let j = i + 1; j < b.length; j++) {
    if (b[j] === 0x5c) j++;
    else if (b[j] === 0x22) return j + 1;
  }
  return -1;
}

/** The end (exclusive) of the JSON value starting at i, or -1. */
function valueEnd(b, i) {
  if (b[i] === 0x22) return stringEnd(b, i);
  if (b[i] === 0x7b || b[i] === 0x5b) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      if (b[j] === 0x22) {
        j = stringEnd(b, j) - 1;
        if (j < 0) return -1;
      } else if (b[j] === 0x7b || b[j] === 0x5b) depth++;
      else if (b[j] === 0x7d || b[j] === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < b.length && !WS.has(b[j]) && b[j] !== 0x2c && b[j] !== 0x7d && b[j] !== 0x5d) j++;
  return j > i ? j : -1;
}

const asBuffer = (b) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * The top-level members of a JSON object's bytes: { members: [{ key, start, end }] (each
 * value's span, in order, duplicates included), close (the closing brace) }, or null when the
 * bytes are not one JSON object this can read.
 */
function members(bytes) {
  const b = asBuffer(bytes);
  const skip = (i) => { while (i < b.length && WS.has(b[i])) i++; return i; };
  let i = skip(0);
  if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i = skip(i + 3); // a UTF-8 byte order mark
  if (b[i] !== 0x7b) return null;
  const out = [];
  i = skip(i + 1);
  if (b[i] !== 0x7d) {
    for (;;) {
      i = skip(i);
      if (b[i] !== 0x22) return null;
      const keyEnd = stringEnd(b, i);
      if (keyEnd < 0) return null;
      let key;
      try { key = JSON.parse(b.toString("utf8", i, keyEnd)); } catch { return null; }
      i = skip(keyEnd);
      if (b[i] !== 0x3a) return null;
      const start = skip(i + 1);
      const end = valueEnd(b, start);
      if (end < 0) return null;
      out.push({ key, start, end });
      i = skip(end);
      if (b[i] === 0x2c) { i++; continue; }
      if (b[i] === 0x7d) break;
      return null;
    }
  }
  if (skip(i + 1) !== b.length) return null;
  return { members: out, close: i };
}

/** Pieces of bytes and text, concatenated. */
const join = (parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));

/**
 * The event's bytes with the members named in `replace` ({ key: JSON text }) set: each
 * member's last value is replaced where it stands, a missing one is added at the end. null
 * when the bytes are not a JSON object.
 */
function withMembers(bytes, replace) {
  const b = asBuffer(bytes);
  const read = members(b);
  if (!read) return null;
  const last = new Map();
  for (const m of read.members) last.set(m.key, m);
  const spans = [];
  let tail = "";
  for (const [key, text] of Object.entries(replace)) {
    const m = last.get(key);
    if (m) spans.push([m.start, m.end, text]);
    else tail += `${read.members.length || tail ? ", " : ""}${JSON.stringify(key)}: ${text}`;
  }
  spans.sort((x, y) => x[0] - y[0]);
  const parts = [];
  let at = 0;
  for (const [start, end, text] of spans) {
    parts.push(b.subarray(at, start), text);
    at = end;
  }
  parts.push(b.subarray(at, read.close), tail, b.subarray(read.close));
  return join(parts);
}

module.exports = { members, withMembers };
