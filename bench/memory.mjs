// Peak memory of one plan, in a fresh process: node bench/memory.mjs EVENT.json whole|batches|string
// (string: buildDeliveries with the event as a JS string and string bodies; the others bytes in and out)
// Prints {"wasmBytes", "rssBytes", "bodyBytes"}: the wasm linear memory after the
// call (it only grows, so this is the peak) and the process's maximum RSS.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lib = require(path.join(import.meta.dirname, "..", "pkg"));
const [file, mode] = process.argv.slice(2);
// Bytes in, bytes out: the path for large events. The option is spliced into the
// file's bytes, so this process holds no parsed copy of the event.
const raw = fs.readFileSync(file);
const bytes = new Uint8Array(Buffer.concat([Buffer.from('{"options": {"bodyAs": "bytes"}, '), raw.subarray(raw.indexOf(123) + 1)]));
let bodyBytes = 0;
let largestBatch = 0;
if (mode === "string") {
  const text = raw.toString("utf8");
  const plan = lib.buildDeliveries(text);
  for (const d of plan.deliveries) if (d.webhookId === plan.deliveries[0].webhookId) {
    bodyBytes += d.body.length; // ASCII: characters are bytes
    largestBatch = Math.max(largestBatch, d.body.length);
  }
} else if (mode === "batches") {
  for (const { deliveries } of lib.planBatches(bytes)) {
    // A host would send and drop each batch here.
    const size = deliveries.length ? deliveries[0].body.length : 0;
    bodyBytes += size;
    largestBatch = Math.max(largestBatch, size);
  }
} else {
  const plan = lib.buildDeliveries(bytes);
  for (const d of plan.deliveries) if (d.webhookId === plan.deliveries[0].webhookId) {
    bodyBytes += d.body.length;
    largestBatch = Math.max(largestBatch, d.body.length);
  }
}
console.log(JSON.stringify({
  wasmBytes: lib.wasmMemoryBytes(),
  rssBytes: process.resourceUsage().maxRSS * 1024,
  bodyBytes,
  largestBatch,
  eventBytes: bytes.length,
}));
