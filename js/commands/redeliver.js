// `ls-webhooks redeliver`: rebuild Label Studio 1.23.2 webhook events from its own database
// (SQLite file or postgres:// URL) and show, print or send their deliveries.
//
// Wiring (js/cli.js): commands.redeliver = (lib, rest) => redeliverCommand(rest, { lib, deliver })
// The command prints its own errors and resolves to the exit code.
"use strict";
const path = require("path");
const signingArgs = require("./signing.js");

function requireLocal(name) {
  // In the npm package this file sits in commands/ beside the package root; in the repository, in js/commands/.
  return require(path.join(__dirname, "..", name));
}

const USAGE = `usage: ls-webhooks redeliver --db <file.sqlite3 | postgres://...> --action ACTION [options]

  --db DB             Label Studio 1.23.2's database: the SQLite file (opened read-only) or a
                      postgres:// URL (read in one READ ONLY transaction)
  --action ACTION     one of the 12 actions (ls-webhooks actions)
  --ids 1,2,3         only these rows; required for *_DELETED actions (deleted rows cannot be
                      read back: Label Studio sends only their ids)
  --project N         only this project's rows (for *_DELETED: the project the rows were in)
  --organization N    for PROJECT_DELETED or deletes without --project, when the database holds
                      more than one organization
  --since ISO         rows with created_at (*_CREATED) or updated_at (*_UPDATED) at or after ISO
  --until ISO         ... and before ISO (no offset means UTC)
  --batch-size N      WEBHOOK_BATCH_SIZE (default 5000): list actions are sent in batches of N
  --no-ssrf-protection  as SSRF_PROTECTION_ENABLED=false
  --json              print each event's plan as one JSON line (as ls-webhooks plan prints it)
  --send              deliver (default: a dry run that sends nothing and prints a summary)
  --queue redis://... with --send: enqueue on the BullMQ queue for ls-webhooks worker instead
${signingArgs.signingHelp({ id: false })}
  --signing-id ID     an id for this run: batch B of the N-th event rebuilt (Label Studio's emission,
                      counted from 1) is signed as event ID-N-B, so its webhook-ids are
                      ID-N-B_WEBHOOK_0 (each batch is planned as an event of its own); default:
                      msg_ and a hash of what is sent (the same rows rebuilt again: the same ids)
  -h, --help          this text

A rebuilt event carries the rows as they are in the database now, not as they were when
Label Studio sent the original event.`;

const NOW_NOT_THEN =
  "note: rebuilt from the database as it is now: each event carries the rows as they are now, " +
  "not as they were when Label Studio sent the original event";

const EXIT = { OK: 0, DELIVERY_FAILED: 1, USAGE: 2, NO_INPUT: 3, UNKNOWN_ACTION: 5, ORGANIZATION_ONLY_ACTION: 6, INVALID_EVENT: 7, INVALID_ROW: 8 };
const DB_EXIT = {
  INVALID_SELECTION: EXIT.USAGE, DRIVER_MISSING: EXIT.NO_INPUT, CANNOT_OPEN: EXIT.NO_INPUT, INVALID_DATABASE: EXIT.USAGE,
  MISSING_ROW: EXIT.NO_INPUT, INVALID_VALUE: EXIT.INVALID_ROW, NO_LIBRARY: EXIT.NO_INPUT,
};

class UsageError extends Error {}

function parseArgs(args) {
  const o = { json: false, send: false, ssrfProtection: true };
  const takes = {
    "--db": "db", "--action": "action", "--ids": "ids", "--project": "project", "--organization": "organization",
    "--since": "since", "--until": "until", "--batch-size": "batchSize",
  };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === "--help" || a === "-h") return { help: true };
    if (a === "--json" || a === "--send" || a === "--no-ssrf-protection") {
      if (value !== undefined) throw new UsageError(`${a} takes no value`);
      if (a === "--json") o.json = true;
      else if (a === "--send") o.send = true;
      else o.ssrfProtection = false;
      continue;
    }
    const key = takes[a];
    if (!key) throw new UsageError(`unknown option ${args[i]}`);
    if (value === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      value = args[++i];
    }
    if (o[key] !== undefined) throw new UsageError(`${a} given twice`);
    o[key] = value;
  }
  if (!o.db) throw new UsageError("--db is required");
  if (!o.action) throw new UsageError("--action is required");
  if (o.batchSize !== undefined) {
    if (!/^\d+$/.test(o.batchSize) || Number(o.batchSize) < 1) throw new UsageError(`--batch-size: expected a positive integer, got ${o.batchSize}`);
    o.batchSize = Number(o.batchSize);
  }
  return o;
}

function plural(n, one, many) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function bodyText(body) {
  return typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

const asBuffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** Stands in for each body while the rest of a plan is stringified (a value no plan holds). */
const BODY_MARK = `\u0000ls-webhooks body ${require("crypto").randomBytes(12).toString("hex")}\u0000`;
const BODY_MARK_JSON = JSON.stringify(BODY_MARK);

/**
 * Escaped bodies, written into one reusable buffer.
 *
 * A body given as UTF-8 bytes is escaped as bytes: read as latin1 (a byte a character),
 * JSON.stringify escapes exactly the bytes it escapes in the decoded text ('"', '\\' and those
 * below 0x20, all ASCII: every byte of a multibyte character is 0x80 or above), and its result
 * written back as latin1 is byte for byte the UTF-8 of JSON.stringify(the decoded text).
 * Nothing is decoded or encoded as UTF-8, and 64 KiB at a time: no string of a body's size
 * is made (V8 keeps those in its large-object space until a full collection: peak RSS).
 */
const ESCAPE_CHUNK = 1 << 16;
const escaped = {
  buf: null,
  off: 0,
  /** Room for n more bytes; the bytes from `start` (the body so far) move along. Returns the new start. */
  room(n, start) {
    if (this.buf && this.buf.length - this.off >= n) return start;
    const used = this.off - start;
    const next = Buffer.allocUnsafeSlow(Math.max(used + n + ESCAPE_CHUNK, this.buf ? this.buf.length * 2 : 0));
    if (used) this.buf.copy(next, 0, start, this.off);
    this.buf = next;
    this.off = used;
    return 0;
  },
  /** `bytes` as a JSON string, quotes included: a view of the buffer, valid until release(). */
  bytes(bytes) {
    let start = this.room(Math.ceil(bytes.length * 1.125) + 2, this.off);
    this.buf[this.off++] = 0x22;
    for (let i = 0; i < bytes.length; i += ESCAPE_CHUNK) {
      const s = JSON.stringify(bytes.toString("latin1", i, Math.min(bytes.length, i + ESCAPE_CHUNK)));
      start = this.room(s.length - 2, start);
      this.off += this.buf.write(s.slice(1, -1), this.off, "latin1");
    }
    start = this.room(1, start);
    this.buf[this.off++] = 0x22;
    return this.buf.subarray(start, this.off);
  },
  /** The views given out were written (reuse the buffer), or may still be held (do not). */
  release(reuse) {
    this.off = 0;
    if (!reuse) this.buf = null;
  },
};

/**
 * The --json line of a plan, exactly JSON.stringify(plan) + "\n", as pieces (strings, and
 * escaped bodies as UTF-8 bytes) to write in order. Each body is escaped once, and once only
 * when the plan's targets get the same body.
 */
function planLine(plan) {
  const ds = plan.deliveries;
  const bodies = ds.map((d) => d.body);
  let text;
  try {
    for (const d of ds) d.body = BODY_MARK;
    text = JSON.stringify(plan);
  } finally {
    ds.forEach((d, i) => (d.body = bodies[i]));
  }
  const parts = text.split(BODY_MARK_JSON);
  if (parts.length !== bodies.length + 1) {
    // never: no plan holds the mark
    return [JSON.stringify(plan, (k, v) => (k === "body" && v instanceof Uint8Array ? bodyText(v) : v)) + "\n"];
  }
  const pieces = [parts[0]];
  let last = null;
  let lastEscaped = null;
  bodies.forEach((body, i) => {
    let e;
    if (typeof body === "string") {
      e = last === body ? lastEscaped : JSON.stringify(body);
    } else {
      body = asBuffer(body);
      e = last !== null && typeof last !== "string" && last.equals(body) ? lastEscaped : escaped.bytes(body);
    }
    last = body;
    lastEscaped = e;
    pieces.push(e, parts[i + 1]);
  });
  pieces[pieces.length - 1] += "\n";
  return pieces;
}

/** The pieces of a line as one string (without its newline), for env.out. */
function lineText(pieces) {
  return pieces.map((p) => (typeof p === "string" ? p : p.toString("utf8"))).join("").slice(0, -1);
}

/** Writes pieces to stdout in order, and waits when stdout asks to (a pipe to a slower reader). */
async function writeStdout(pieces) {
  const out = process.stdout;
  let ok = true;
  for (const p of pieces) ok = out.write(p);
  escaped.release(out.writableLength === 0); // all written: the escaped bytes can be written over
  if (!ok) await new Promise((resolve) => out.once("drain", resolve));
}

/**
 * The number of failed deliveries in what `deliver` returned: { failed }, an array of { ok },
 * or ls-webhooks/deliver's receipt ({ done: Promise<{ failed }> }); 0 when it says nothing.
 */
async function failures(result) {
  if (!result) return 0;
  if (Array.isArray(result)) return result.filter((r) => r && r.ok === false).length;
  if (typeof result.failed === "number") return result.failed;
  if (result.done && typeof result.done.then === "function") return failures(await result.done);
  return 0;
}

/**
 * redeliver: args as after the command name; env.lib the wasm module (loaded if absent);
 * env.deliver(plan, context) sends one event's plan (--send; plans come one batch at a time, in
 * Label Studio's order) and may return { failed: n }, an array of { ok }, or a receipt whose
 * `done` resolves to { failed } (ls-webhooks/deliver's deliver()); env.done() is awaited once
 * every plan was handed over (e.g. the deliverer's close()) and may return { failed } for the
 * whole run; env.out/env.err write lines
 * (default: stdout/stderr). Resolves to the exit code; errors are printed, not thrown.
 */
async function redeliverCommand(argv, env = {}) {
  const out = env.out || ((s) => process.stdout.write(s + "\n"));
  const err = env.err || ((s) => process.stderr.write(s + "\n"));
  let o;
  let spec = null;
  let secret = null;
  try {
    if (argv.some((a) => a === "--help" || a === "-h")) {
      out(USAGE);
      return EXIT.OK;
    }
    const taken = signingArgs.takeSigningArgs("redeliver", argv);
    spec = taken.spec;
    o = parseArgs(taken.rest);
    // The secret is read before anything else is: a missing one stops the run at once.
    if (spec) secret = signingArgs.readSecret("redeliver", spec, env.environment || process.env);
  } catch (e) {
    if (e instanceof signingArgs.SigningError) {
      err(`ls-webhooks ${e.message}`); // "redeliver: ...", never the secret
      return EXIT.USAGE;
    }
    if (!(e instanceof UsageError)) throw e;
    err(`ls-webhooks redeliver: ${signingArgs.redact(e.message)}\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (o.help) {
    out(USAGE);
    return EXIT.OK;
  }
  if (o.send && typeof env.deliver !== "function") {
    err("ls-webhooks redeliver: --send: no deliverer is configured");
    return EXIT.USAGE;
  }
  const { eventsFromDatabase, isPgUrl, redact } = requireLocal("database.js");
  let lib = env.lib;
  if (!lib) {
    lib = requireLocal("wasm-lib.js").findLib();
    if (!lib) {
      err("ls-webhooks redeliver: the wasm package is not built; run: bash scripts/setup.sh");
      return EXIT.NO_INPUT;
    }
  }
  let signing = null;
  if (spec) {
    try {
      // The id of each event is ID-N-B: checked here with room for N and B.
      signing = signingArgs.signingOptions(lib, "redeliver", spec, secret, { idSuffix: "-9999999999-999999" });
    } catch (e) {
      if (!(e instanceof signingArgs.SigningError)) throw e;
      err(`ls-webhooks ${e.message}`);
      return EXIT.USAGE;
    }
  }
  const info = o.json ? err : out; // with --json, stdout holds only the plans
  const selection = { action: o.action, ssrfProtection: o.ssrfProtection };
  for (const k of ["ids", "project", "organization", "since", "until", "batchSize"]) if (o[k] !== undefined) selection[k] = o[k];
  const source = isPgUrl(o.db) ? redact(o.db) : o.db;

  const totals = { emissions: 0, events: 0, deliveries: 0, bytes: 0, failed: 0, rows: 0 };
  const targets = new Set();
  const skipped = new Map(); // webhookId -> reason
  let context = null;
  let iterator;
  const pending = [];
  // Without a deliverer to hand them to, bodies stay UTF-8 bytes: counted and written as bytes.
  const bodyAs = o.send ? null : "bytes";
  try {
    // Events as UTF-8 bytes: the library's exact path, and its fastest for large events.
    iterator = eventsFromDatabase(o.db, selection, { info: true, bytes: true, bodyAs });
    info(NOW_NOT_THEN);
    for await (const ev of iterator) {
      context = ev;
      const e = ev.event;
      let signingId;
      let options;
      if (signing) {
        // options.signing given apart from the event's bytes (the library's second argument).
        if (spec.id !== undefined) signingId = `${spec.id}-${ev.emission}-${ev.batch}`;
        options = { signing: { ...signing, ...(signingId ? { id: signingId } : {}) } };
      }
      const plan = lib.buildDeliveries(new Uint8Array(e.buffer, e.byteOffset, e.byteLength), options);
      if (ev.batch === 0) totals.emissions++;
      totals.events++;
      totals.rows += ev.rows;
      plan.targets.forEach((t) => targets.add(t));
      for (const s of plan.skipped) skipped.set(s.webhookId ?? s.path, s.reason);
      for (const d of plan.deliveries) {
        if (!bodyAs) d.body = bodyText(d.body);
        d.batch = ev.batch; // the batch within Label Studio's emission (each event is one batch)
        totals.deliveries++;
        totals.bytes += typeof d.body === "string" ? Buffer.byteLength(d.body, "utf8") : d.body.byteLength;
      }
      if (o.json) {
        const pieces = planLine(plan);
        if (env.out) {
          out(lineText(pieces));
          escaped.release(true);
        } else {
          await writeStdout(pieces);
        }
      }
      if (o.send && plan.deliveries.length) {
        const { event, ...meta } = ev;
        const result = await env.deliver(plan, { ...meta, ssrfProtection: plan.ssrfProtection, ...(signingId ? { signingId } : {}) });
        pending.push(failures(result)); // a receipt's `done` settles later: counted at the end
      }
    }
    if (o.send) {
      for (const n of await Promise.all(pending)) totals.failed += n;
      if (typeof env.done === "function") {
        const r = await env.done(); // may return { failed } for the whole run: it then wins
        if (r && typeof r.failed === "number") totals.failed = r.failed;
      }
    }
  } catch (e) {
    const where = context ? ` (after ${context.action} emission ${context.emission}, batch ${context.batch + 1} of ${context.batchCount})` : "";
    if (e && e.name === "DatabaseError") {
      err(`ls-webhooks redeliver: ${e.message}${where}`);
      return DB_EXIT[e.code] ?? EXIT.NO_INPUT;
    }
    if (e && typeof e.code === "string" && EXIT[e.code] !== undefined) {
      err(`ls-webhooks redeliver: ${e.code}${e.path ? ` at ${e.path}` : ""}: ${e.detail || e.message}${where}`);
      return EXIT[e.code];
    }
    if (e && e.code && /^(ECONNREFUSED|ENOTFOUND|28P01|3D000|SQLITE_)/.test(String(e.code))) {
      err(`ls-webhooks redeliver: ${source}: ${e.message}`);
      return EXIT.NO_INPUT;
    }
    throw e;
  }
  const s = iterator.summary;
  const mode = o.send ? "sent" : "dry run, nothing sent";
  info(`redeliver ${o.action} from ${source} (${mode})`);
  info(`  events:     ${plural(totals.emissions, "event", "events")} of ${plural(totals.rows, "row", "rows")}` +
    (totals.events !== totals.emissions ? `, in ${plural(totals.events, "batch", "batches")} of at most ${(o.batchSize || 5000).toLocaleString("en-US")}` : ""));
  info(`  targets:    ${plural(targets.size, "webhook", "webhooks")}${targets.size ? ` (${[...targets].sort((a, b) => a - b).map((t) => `#${t}`).join(", ")})` : ""}`);
  if (skipped.size) info(`  skipped:    ${[...skipped].map(([id, r]) => `#${id} ${r}`).join(", ")}`);
  info(`  deliveries: ${plural(totals.deliveries, "delivery", "deliveries")}, ${plural(totals.bytes, "byte", "bytes")} of bodies`);
  if (s.idsNotFound > 0) info(`  not found:  ${plural(s.idsNotFound, "of the given ids", "of the given ids")} (not in the database, or not in the selected project)`);
  if (s.missingProjects.length) info(`  left out:   rows of deleted or missing projects ${s.missingProjects.join(", ")} (Label Studio cannot serialize them either)`);
  if (o.send) {
    info(`  failed:     ${plural(totals.failed, "delivery", "deliveries")}`);
    return totals.failed ? EXIT.DELIVERY_FAILED : EXIT.OK;
  }
  if (!o.json) info("  run again with --send to deliver them, or --json to see every delivery");
  return EXIT.OK;
}

module.exports = { redeliverCommand, USAGE, NOW_NOT_THEN };
