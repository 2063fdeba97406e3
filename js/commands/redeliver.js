// `ls-webhooks redeliver`: rebuild Label Studio 1.23.2 webhook events from its own database
// (SQLite file or postgres:// URL) and show, print or send their deliveries.
//
// Wiring (js/cli.js): commands.redeliver = (lib, rest) => redeliverCommand(rest, { lib, deliver })
// The command prints its own errors and resolves to the exit code.
"use strict";
const path = require("path");
const fs = require("fs");

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
async function redeliverCommand(args, env = {}) {
  const out = env.out || ((s) => process.stdout.write(s + "\n"));
  const err = env.err || ((s) => process.stderr.write(s + "\n"));
  let o;
  try {
    o = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`ls-webhooks redeliver: ${e.message}\n${USAGE}`);
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
    for (const p of [path.join(__dirname, "..", "ls_webhooks.js"), path.join(__dirname, "..", "..", "pkg", "ls_webhooks.js")]) {
      if (fs.existsSync(p)) {
        lib = require(p);
        break;
      }
    }
    if (!lib) {
      err("ls-webhooks redeliver: the wasm package is not built; run: bash scripts/setup.sh");
      return EXIT.NO_INPUT;
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
  try {
    iterator = eventsFromDatabase(o.db, selection, { info: true });
    info(NOW_NOT_THEN);
    for await (const ev of iterator) {
      context = ev;
      // UTF-8 bytes: the library's exact path, and its fastest for large events
      const bytes = Buffer.from(ev.event, "utf8");
      const plan = lib.buildDeliveries(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (ev.batch === 0) totals.emissions++;
      totals.events++;
      totals.rows += ev.rows;
      plan.targets.forEach((t) => targets.add(t));
      for (const s of plan.skipped) skipped.set(s.webhookId ?? s.path, s.reason);
      for (const d of plan.deliveries) {
        d.body = bodyText(d.body);
        d.batch = ev.batch; // the batch within Label Studio's emission (each event is one batch)
        totals.deliveries++;
        totals.bytes += Buffer.byteLength(d.body, "utf8");
      }
      if (o.json) out(JSON.stringify(plan));
      if (o.send && plan.deliveries.length) {
        const { event, ...meta } = ev;
        const result = await env.deliver(plan, { ...meta, ssrfProtection: plan.ssrfProtection });
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
