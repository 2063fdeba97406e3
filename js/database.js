// ls-webhooks/database: webhook events rebuilt from Label Studio 1.23.2's own database
// (SQLite with better-sqlite3 12.x, PostgreSQL with pg 8.x; both optional dependencies,
// required only when used).
//
//   const { eventsFromDatabase } = require("ls-webhooks/database");
//   for await (const text of eventsFromDatabase("label_studio.sqlite3", { action: "TASKS_CREATED", project: 3 })) {
//     const plan = buildDeliveries(text);   // JSON text: the exact path
//   }
//
// A rebuilt event carries the rows as they are in the database now, not as they were when
// Label Studio sent the original event.
"use strict";

/** The 8 counts ProjectWebhookSerializer reads from Project.objects.with_counts(). */
const COUNTS = [
  "task_number", "finished_task_number", "total_predictions_number", "total_annotations_number",
  "num_tasks_with_annotations", "useful_annotation_number", "ground_truth_number", "skipped_annotations_number",
];

/** Label Studio 1.23.2's tables (db_table of each model). */
const TABLE = {
  project: "project",
  task: "task",
  annotation: "task_completion",
  label: "labels_manager_label",
  label_link: "labels_manager_labellink",
};

/**
 * The actions: which rows, and how Label Studio emits them.
 *   rows:   the serializer (and table) of the instance rows; null for the *_DELETED actions (ids only)
 *   many:   one event holding every selected row (batched), or one event per row
 *   nested: the full related row the payload nests (annotation -> task, label link -> label)
 *   time:   the column --since/--until select on
 */
const ACTIONS = {
  PROJECT_CREATED: { rows: "project", many: false, orgOnly: true, time: "created_at" },
  PROJECT_UPDATED: { rows: "project", many: false, time: "updated_at" },
  PROJECT_DELETED: { rows: null, many: false, orgOnly: true },
  TASKS_CREATED: { rows: "task", many: true, time: "created_at" },
  TASKS_DELETED: { rows: null, many: true },
  ANNOTATION_CREATED: { rows: "annotation", many: false, nested: "task", time: "created_at" },
  ANNOTATIONS_CREATED: { rows: "annotation", many: true, nested: "task", time: "created_at" },
  ANNOTATION_UPDATED: { rows: "annotation", many: false, nested: "task", time: "updated_at" },
  ANNOTATIONS_DELETED: { rows: null, many: true },
  LABEL_LINK_CREATED: { rows: "label_link", many: true, time: null },
  LABEL_LINK_UPDATED: { rows: "label_link", many: false, nested: "label", time: null },
  LABEL_LINK_DELETED: { rows: null, many: false },
};

const DEFAULT_BATCH_SIZE = 5000; // WEBHOOK_BATCH_SIZE

class DatabaseError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "DatabaseError";
    this.code = code;
  }
}

// ---------------------------------------------------------------- library and drivers

function loadLib() {
  const lib = require("./wasm-lib.js").findLib();
  if (!lib) throw new DatabaseError("NO_LIBRARY", "the wasm package is not built (run: bash scripts/setup.sh)");
  return lib;
}

const DRIVERS = {
  "better-sqlite3": { version: "12", what: "SQLite databases" },
  pg: { version: "8", what: "PostgreSQL databases" },
};

/** An optional dependency, required only when used, with a clear message when missing. */
function requireDriver(name) {
  try {
    return require(name);
  } catch (e) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes(`'${name}'`)) {
      const d = DRIVERS[name];
      throw new DatabaseError(
        "DRIVER_MISSING",
        `reading ${d.what} needs the optional dependency "${name}": npm install ${name}@${d.version}` +
          (name === "better-sqlite3" ? " (12.x: 13.x needs Node 22)" : ""),
      );
    }
    throw e;
  }
}

// ---------------------------------------------------------------- values, exactly
//
// Each row's JSON text is written by the database itself (SqliteSource/PgSource.frag below),
// from the stored values: JSON columns spliced as stored (SQLite keeps Django's JSON text, so
// 1.0 stays 1.0; pg gives jsonb's text), ints as their decimal text (label_config_hash past
// 2^53), booleans as true/false (SQLite's 0/1), datetimes as ISO 8601 with their microseconds
// and offset (SQLite holds naive UTC text), UUIDs with dashes (SQLite holds 32 hex digits),
// floats with enough digits to read back the same double. The database also joins a batch's
// rows (Reader.pages): nothing is parsed, and a batch of 5000 rows is one value, not 100,000.

const INT = /^-?\d+$/;

function intText(v) {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (typeof v === "string" && INT.test(v)) return v; // pg: int8 and count(*) arrive as text
  throw new TypeError(`not an integer: ${String(v)}`);
}

function boolText(v) {
  if (v === true || v === 1 || v === 1n || v === "1" || v === "t") return "true";
  if (v === false || v === 0 || v === 0n || v === "0" || v === "f") return "false";
  throw new TypeError(`not a boolean: ${String(v)}`);
}

function jsonText(v) {
  if (typeof v === "string") return v; // as stored: SQLite's JSON text, pg's json/jsonb text
  if (Buffer.isBuffer(v)) return v.toString("utf8");
  throw new TypeError(`not JSON text: ${typeof v}`);
}

/** ISO 8601 (offset optional: UTC) -> { iso, sqlite } bounds, microseconds kept. */
function parseBound(name, text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6})\d*)?)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(
    String(text).trim(),
  );
  if (!m) throw new DatabaseError("INVALID_SELECTION", `${name}: not an ISO 8601 date or datetime: ${text}`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", off = "Z"] = m;
  let offMin = 0;
  if (off !== "Z") {
    const digits = off.slice(1).replace(":", "");
    offMin = (off[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offMin * 60000;
  if (!Number.isFinite(ms)) throw new DatabaseError("INVALID_SELECTION", `${name}: not a valid date: ${text}`);
  const t = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const base =
    `${p(t.getUTCFullYear(), 4)}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ` +
    `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
  const micro = frac.padEnd(6, "0");
  // SQLite compares text: Django writes "YYYY-MM-DD HH:MM:SS" when the microseconds are 0 and
  // "...SS.ffffff" otherwise, so a bound with zero microseconds is written without a fraction.
  const sqlite = /^0*$/.test(micro) ? base : `${base}.${micro}`;
  return { sqlite, iso: `${base.replace(" ", "T")}.${micro}+00:00` };
}

// ---------------------------------------------------------------- the two sources

/**
 * SQLite: opened read-only. Each page is one SELECT (SQLite reads it in one snapshot), and no
 * transaction is held between pages: Label Studio's default rollback journal would block its
 * writers for as long as a reader holds one.
 */
class SqliteSource {
  constructor(db, owned) {
    this.dialect = "sqlite";
    this.db = db;
    this.owned = owned;
    this.cache = new Map();
  }

  static open(file) {
    const Database = requireDriver("better-sqlite3");
    let db;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new DatabaseError("CANNOT_OPEN", `cannot open the SQLite database ${file}: ${e.message}`);
    }
    return new SqliteSource(db, true);
  }

  stmt(sql) {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql).raw(true).safeIntegers(true); // ints as BigInt: exact (not the handle's default)
      this.cache.set(sql, s);
    }
    return s;
  }

  async all(sql, params = []) {
    return this.stmt(sql).all(...params);
  }

  /** `col IN (ids)` with the ids as one JSON parameter (no bound-parameter limit). */
  inIds(col) {
    return `${col} IN (SELECT value FROM json_each(?))`;
  }

  idsParam(ids) {
    return `[${ids.join(",")}]`;
  }

  bound(b) {
    return b.sqlite; // Django's text: "YYYY-MM-DD HH:MM:SS[.ffffff]", naive UTC
  }

  /** SQL giving the JSON text of a stored value of this kind (never NULL). */
  frag(kind, e) {
    switch (kind) {
      case "int":
      case "foreign_key":
        return `coalesce(CAST(CAST(${e} AS INTEGER) AS TEXT), 'null')`;
      case "bool":
        return `(CASE WHEN ${e} IS NULL THEN 'null' WHEN ${e} THEN 'true' ELSE 'false' END)`;
      case "str":
        return `coalesce(json_quote(CAST(${e} AS TEXT)), 'null')`;
      case "json":
        return `coalesce(CAST(${e} AS TEXT), 'null')`;
      case "float":
        // SQLite's printf converts exactly: 17 significant digits read back as the same double.
        return `(CASE WHEN ${e} IS NULL THEN 'null' ELSE printf('%!.17g', ${e}) END)`;
      case "date_time":
        // Django writes "YYYY-MM-DD HH:MM:SS" or "...SS.ffffff" in UTC; anything else goes to the library as is.
        return `(CASE WHEN ${e} IS NULL THEN 'null' WHEN length(${e}) IN (19, 26) AND substr(${e}, 11, 1) = ' ' ` +
          `THEN '"' || substr(${e}, 1, 10) || 'T' || substr(${e}, 12) || '+00:00"' ELSE json_quote(CAST(${e} AS TEXT)) END)`;
      case "uuid":
        return `(CASE WHEN ${e} IS NULL THEN 'null' WHEN length(${e}) = 32 THEN '"' || lower(substr(${e}, 1, 8) || '-' || ` +
          `substr(${e}, 9, 4) || '-' || substr(${e}, 13, 4) || '-' || substr(${e}, 17, 4) || '-' || substr(${e}, 21, 12)) || '"' ` +
          `ELSE json_quote(lower(CAST(${e} AS TEXT))) END)`;
      default:
        throw new Error(`no SQL for kind ${kind}`);
    }
  }

  /** SQL giving an int expression's decimal text. */
  intOf(e) {
    return `CAST((${e}) AS TEXT)`;
  }

  /** SQL giving "a, b, c" of an int column over `from`, in `order`, or NULL. */
  agg(col, order, from) {
    return `(SELECT group_concat(CAST(${col} AS TEXT), ', ' ORDER BY ${order}) FROM ${from})`;
  }

  /**
   * SQL joining a text column over the rows (in `order`, if given) with sep: UTF-8 bytes (a Buffer) with
   * `bytes` when the database holds UTF-8 (SQLite reinterprets text as it is stored).
   */
  joinText(col, order, bytes, sep = ", ") {
    const agg = `group_concat(${col}, '${sep}'${order ? ` ORDER BY ${order}` : ""})`;
    return bytes && this.utf8() ? `CAST(${agg} AS BLOB)` : agg;
  }

  /** The one row of a page query (count, last id, text, ids; see Reader.pages). */
  async joinedPage(sql, params) {
    const [n, last, text, ids] = (await this.all(sql, params))[0];
    return { rows: Number(intText(n)), last: last == null ? null : intText(last), text, ids };
  }

  utf8() {
    if (this.encoding === undefined) this.encoding = this.db.pragma("encoding", { simple: true });
    return this.encoding === "UTF-8";
  }

  /**
   * SQL joining text expressions (none NULL). One concat() writes the result once, where a
   * chain of || copies the growing text at every step (a row of 20 columns: 40% less time).
   * concat() takes at most 127 arguments (SQLITE_MAX_FUNCTION_ARG before 3.46): nested beyond 100.
   */
  cat(pieces) {
    if (pieces.length === 1) return pieces[0];
    if (pieces.length <= 100) return `concat(${pieces.join(", ")})`;
    const chunks = [];
    for (let i = 0; i < pieces.length; i += 100) chunks.push(this.cat(pieces.slice(i, i + 100)));
    return this.cat(chunks);
  }

  async close() {
    if (this.owned) this.db.close();
  }
}

/** PostgreSQL: one REPEATABLE READ READ ONLY transaction; every value kept as the text pg sends. */
class PgSource {
  constructor(client, owned) {
    this.dialect = "postgresql";
    this.client = client;
    this.owned = owned;
  }

  static types() {
    // Text for everything (int8 past 2^53, float8 digits, json/jsonb as stored, timestamptz with
    // its microseconds: pg's default Date parsing drops them) except booleans.
    return { getTypeParser: (oid) => (oid === 16 ? (v) => v === "t" : (v) => v) };
  }

  static async open(url) {
    const pg = requireDriver("pg");
    const client = new pg.Client({ connectionString: url, types: PgSource.types() });
    try {
      await client.connect();
    } catch (e) {
      throw new DatabaseError("CANNOT_OPEN", `cannot connect to ${redact(url)}: ${e.message}`);
    }
    const src = new PgSource(client, true);
    try {
      await src.begin();
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return src;
  }

  static async wrap(client) {
    const src = new PgSource(client, false);
    await src.begin();
    return src;
  }

  async begin() {
    await this.client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // UTC for to_json(timestamptz); shortest round-trip float text (the default since PG 12).
    await this.client.query("SET LOCAL TIME ZONE 'UTC'");
    await this.client.query("SET LOCAL extra_float_digits = 1");
  }

  async all(sql, params = []) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const r = await this.client.query({ text, values: params, rowMode: "array", types: PgSource.types() });
    return r.rows;
  }

  inIds(col) {
    return `${col} = ANY(?::bigint[])`;
  }

  idsParam(ids) {
    return ids.map(String);
  }

  bound(b) {
    return b.iso;
  }

  frag(kind, e) {
    switch (kind) {
      case "int":
      case "foreign_key":
        return `coalesce((${e})::bigint::text, 'null')`;
      case "bool":
        return `(CASE WHEN ${e} IS NULL THEN 'null' WHEN ${e} THEN 'true' ELSE 'false' END)`;
      case "str":
      case "uuid":
        return `coalesce(to_json((${e})::text)::text, 'null')`;
      case "json":
        return `coalesce((${e})::text, 'null')`;
      case "float":
        return `coalesce((${e})::float8::text, 'null')`;
      case "date_time":
        return `coalesce(to_json(${e})::text, 'null')`; // "2026-11-29T18:09:48.530823+00:00" in UTC
      default:
        throw new Error(`no SQL for kind ${kind}`);
    }
  }

  intOf(e) {
    return `(${e})::text`;
  }

  agg(col, order, from) {
    return `(SELECT string_agg((${col})::text, ', ' ORDER BY ${order}) FROM ${from})`;
  }

  /**
   * The one row of a page query (count, last id, text, ids; see Reader.pages), read with
   * COPY (...) TO STDOUT (FORMAT binary): the values come as the bytes the server sends. A
   * query's text values are decoded by pg (V8's UTF-8 decoder: about 8 ms a 3.4 MB page, into
   * a two-byte string as soon as a character is past U+00FF) and then had to be encoded again;
   * with `bytes`, the page's text is never a string. COPY takes no parameters: they are written
   * into the SQL (ids, bounds and sizes, all validated digits and ISO datetimes).
   */
  async joinedPage(sql, params, bytes) {
    const con = this.client.connection;
    let fields;
    if (con && typeof con.query === "function") {
      let n = 0;
      const text = sql.replace(/\?/g, () => pgLiteral(params[n++]));
      fields = copyRows(await copyOut(this.client, `COPY (${text}) TO STDOUT (FORMAT binary)`))[0];
    } else {
      // a client without the protocol's COPY messages (pg-native): text values
      fields = (await this.all(sql, params))[0].map((v) => (v == null ? null : Buffer.from(v, "utf8")));
    }
    const str = (b) => (b == null ? null : b.toString("utf8"));
    return {
      rows: Number(str(fields[0])),
      last: str(fields[1]),
      text: bytes || fields[2] == null ? fields[2] : fields[2].toString("utf8"),
      ids: str(fields[3]),
    };
  }

  /** SQL joining a text column over the rows (in `order`, if given) with sep (text: pg decodes every value). */
  joinText(col, order, bytes, sep = ", ") {
    return `string_agg(${col}, '${sep}'${order ? ` ORDER BY ${order}` : ""})`;
  }

  /**
   * SQL joining text expressions (none NULL) with || (PostgreSQL's concat() looks up each
   * argument's type on every row), paired as a balanced tree: each || copies both sides, so a
   * chain copies the text of the first pieces (the task's data) once per piece after them.
   */
  cat(pieces) {
    if (pieces.length === 1) return pieces[0];
    const mid = pieces.length >> 1;
    return `(${this.cat(pieces.slice(0, mid))} || ${this.cat(pieces.slice(mid))})`;
  }

  async close() {
    try {
      await this.client.query("COMMIT");
    } finally {
      if (this.owned) await this.client.end();
    }
  }
}

/** A parameter written into SQL (PostgreSQL, standard_conforming_strings): digits, text, or a list of ids. */
function pgLiteral(v) {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (Array.isArray(v)) return pgLiteral(`{${v.map((x) => intText(x)).join(",")}}`);
  if (typeof v === "string" && !/[\\\0]/.test(v)) return `'${v.replace(/'/g, "''")}'`;
  throw new TypeError(`not a parameter to write into SQL: ${String(v)}`);
}

/**
 * COPY ... TO STDOUT through a connected pg Client (a "submittable", as pg-copy-streams and
 * pg-cursor are): resolves to the CopyData chunks, copied (pg's parser reuses its buffer).
 */
function copyOut(client, text) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let failed = false;
    client.query({
      submit(connection) {
        connection.query(text);
      },
      handleCopyData(msg) {
        chunks.push(Buffer.from(msg.chunk));
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyInResponse(connection) {
        connection.sendCopyFail("not a COPY FROM");
      },
      handleError(err) {
        failed = true;
        reject(err);
      },
      handleReadyForQuery() {
        if (!failed) resolve(chunks);
      },
    });
  });
}

/**
 * The rows of COPY's binary format (header, then per row an int16 field count and per field an
 * int32 length, -1 for NULL, and the bytes; -1 ends) as arrays of Buffers, from its chunks.
 */
function copyRows(chunks) {
  let i = 0;
  let o = 0;
  const take = (n) => {
    while (i < chunks.length && o === chunks[i].length) {
      i++;
      o = 0;
    }
    if (i < chunks.length && chunks[i].length - o >= n) {
      o += n;
      return chunks[i].subarray(o - n, o);
    }
    const out = Buffer.allocUnsafe(n);
    for (let k = 0; k < n; ) {
      if (i >= chunks.length) throw new Error("COPY: truncated binary data");
      const m = Math.min(n - k, chunks[i].length - o);
      chunks[i].copy(out, k, o, o + m);
      k += m;
      o += m;
      if (o === chunks[i].length) {
        i++;
        o = 0;
      }
    }
    return out;
  };
  if (take(11).toString("latin1") !== "PGCOPY\n\xff\r\n\0") throw new Error("COPY: not the binary format");
  take(4); // flags
  take(take(4).readUInt32BE(0)); // header extension
  const rows = [];
  for (;;) {
    const count = take(2).readInt16BE(0);
    if (count === -1) return rows;
    const row = [];
    for (let f = 0; f < count; f++) {
      const len = take(4).readInt32BE(0);
      row.push(len === -1 ? null : take(len));
    }
    rows.push(row);
  }
}

function redact(url) {
  return String(url).replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function isPgUrl(s) {
  return /^postgres(?:ql)?:\/\//i.test(s);
}

async function openSource(db) {
  if (typeof db === "string") return isPgUrl(db) ? PgSource.open(db) : SqliteSource.open(db);
  if (db && typeof db.prepare === "function" && typeof db.pragma === "function") return new SqliteSource(db, false);
  if (db && typeof db.query === "function" && typeof db.connect === "function") return PgSource.wrap(db);
  throw new DatabaseError(
    "INVALID_DATABASE",
    "db must be a SQLite file path, a postgres:// URL, a better-sqlite3 Database or a connected pg Client",
  );
}

// ---------------------------------------------------------------- rows as JSON text

/** Per serializer: the stored columns to select and how each becomes JSON text. */
function rowPlans() {
  const plans = {};
  for (const s of loadLib().serializers()) {
    const cols = [];
    const m2m = [];
    for (const f of s.fields) {
      if (f.kind === "many_to_many") m2m.push(f.name);
      else if (s.id === "project" && COUNTS.includes(f.name)) continue; // computed, below
      else if (s.id === "label_link" && f.name === "annotations_count") continue; // Label Studio's rows never carry it
      else cols.push({ key: f.column || f.name, column: f.column || f.name, kind: f.kind });
    }
    plans[s.id] = { cols, m2m };
  }
  return plans;
}

function quote(id) {
  return `"${id}"`;
}

/** A literal piece of row text (see objectPieces). */
const LIT = (text) => ({ lit: text });

/**
 * The SQL pieces writing {"key": value, ...} from [key, value] pairs, a value being an SQL text
 * expression or a list of pieces; literal text is merged into as few SQL strings as it takes
 * (`'{"id": '`, `', "data": '`: every piece costs the database a step on every row).
 */
function objectPieces(fields) {
  const pieces = [];
  let lit = "{";
  fields.forEach(([key, value], i) => {
    lit += `${i ? ", " : ""}"${key}": `;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === "object") {
        lit += v.lit;
      } else {
        pieces.push(`'${lit.replace(/'/g, "''")}'`, v);
        lit = "";
      }
    }
  });
  pieces.push(`'${(lit + "}").replace(/'/g, "''")}'`);
  return pieces;
}

// ---------------------------------------------------------------- selection

function parseIds(ids) {
  if (ids === undefined || ids === null) return null;
  const list = typeof ids === "string" ? ids.split(",").filter((s) => s.trim() !== "") : Array.from(ids);
  return list.map((x) => {
    const t = String(x).trim();
    if (!/^\d+$/.test(t)) throw new DatabaseError("INVALID_SELECTION", `ids: not an id: ${JSON.stringify(x)}`);
    return t.replace(/^0+(?=\d)/, "");
  });
}

function parseId(name, v) {
  if (v === undefined || v === null) return null;
  const t = String(v).trim();
  if (!/^\d+$/.test(t)) throw new DatabaseError("INVALID_SELECTION", `${name}: not an id: ${JSON.stringify(v)}`);
  return t.replace(/^0+(?=\d)/, "");
}

function normalizeSelection(sel) {
  if (!sel || typeof sel !== "object") throw new DatabaseError("INVALID_SELECTION", "selection must be an object");
  const known = ["action", "ids", "project", "organization", "since", "until", "batchSize", "ssrfProtection"];
  for (const k of Object.keys(sel)) {
    if (!known.includes(k)) throw new DatabaseError("INVALID_SELECTION", `unknown selection field: ${k}`);
  }
  const spec = ACTIONS[sel.action];
  if (!spec) {
    throw new DatabaseError(
      "INVALID_SELECTION",
      `action: expected one of ${Object.keys(ACTIONS).join(", ")}, got ${JSON.stringify(sel.action)}`,
    );
  }
  const out = {
    action: sel.action,
    spec,
    ids: parseIds(sel.ids),
    project: parseId("project", sel.project),
    organization: parseId("organization", sel.organization),
    since: sel.since == null ? null : parseBound("since", sel.since),
    until: sel.until == null ? null : parseBound("until", sel.until),
    batchSize: sel.batchSize == null ? DEFAULT_BATCH_SIZE : Number(sel.batchSize),
    ssrfProtection: sel.ssrfProtection === undefined ? true : sel.ssrfProtection,
  };
  if (!Number.isInteger(out.batchSize) || out.batchSize < 1) {
    throw new DatabaseError("INVALID_SELECTION", `batchSize: expected a positive integer, got ${sel.batchSize}`);
  }
  if (typeof out.ssrfProtection !== "boolean") {
    throw new DatabaseError("INVALID_SELECTION", "ssrfProtection: expected true or false");
  }
  if (out.ids) out.ids = [...new Set(out.ids)];
  if (!spec.rows) {
    if (!out.ids) {
      throw new DatabaseError(
        "INVALID_SELECTION",
        `${out.action}: deleted rows cannot be read back; give their ids (ids, --ids), and their project for ` +
          "project webhooks: Label Studio sends only the ids",
      );
    }
    if (out.since || out.until) {
      throw new DatabaseError("INVALID_SELECTION", `${out.action}: since/until do not apply to deleted rows`);
    }
  } else if ((out.since || out.until) && !spec.time) {
    throw new DatabaseError("INVALID_SELECTION", `${out.action}: label links have no timestamps to select on`);
  }
  if (spec.orgOnly && out.action === "PROJECT_DELETED" && out.project) {
    throw new DatabaseError("INVALID_SELECTION", "PROJECT_DELETED: give the deleted project ids as ids, not project");
  }
  return out;
}

// ---------------------------------------------------------------- the reader

class Reader {
  constructor(src, sel, bodyAs = null) {
    this.src = src;
    this.sel = sel;
    this.bodyAs = bodyAs; // written into each event's options
    this.plans = rowPlans();
    this.projects = new Map(); // id -> { text, organization } | null
    this.webhooks = new Map(); // "org/project" -> text
  }

  /**
   * SQL giving the JSON text of one row of `serializer` (table alias `a`): its stored columns,
   * its many-to-many id lists, and the nested row the payload needs (annotation -> task,
   * label link -> label), all written by the database in one statement.
   */
  rowSql(serializer, a, nested, extra = [], authorsIn = null) {
    const src = this.src;
    const fields = this.plans[serializer].cols.map((c) => [c.key, src.frag(c.kind, `${a}.${quote(c.column)}`)]);
    fields.push(...extra);
    const list = (sql) => [LIT("["), `coalesce(${sql}, '')`, LIT("]")];
    if (serializer === "task") {
      const authors = src.agg("ca.user_id", "ca.user_id", `task_comment_authors ca WHERE ca.task_id = ${a}.id`);
      // authorsIn: the tasks (of a page) that have comment authors, read once for all its rows
      // (one hashed lookup a row instead of a subquery a row: a fifth of a page's time on PostgreSQL)
      fields.push(["comment_authors", authorsIn
        ? [LIT("["), `(CASE WHEN ${a}.id IN (${authorsIn}) THEN coalesce(${authors}, '') ELSE '' END)`, LIT("]")]
        : list(authors)]);
    }
    if (serializer === "label") {
      // LabelSerializer: links (the label's links, by id) and projects (Label.projects: the
      // visible projects it is linked to).
      fields.push(["links", list(src.agg("lk.id", "lk.id", `labels_manager_labellink lk WHERE lk.label_id = ${a}.id`))]);
      fields.push(["projects", list(src.agg("lp.project_id", "lp.id",
        `labels_manager_labellink lp JOIN project pp ON pp.id = lp.project_id WHERE lp.label_id = ${a}.id AND pp.deleted_at IS NULL`))]);
    }
    if (nested === "task") {
      fields.push(["task", `coalesce((SELECT ${this.rowSql("task", "nt")} FROM task nt WHERE nt.id = ${a}.task_id), 'null')`]);
    }
    if (nested === "label") {
      fields.push(["label", `coalesce((SELECT ${this.rowSql("label", "nl")} FROM labels_manager_label nl WHERE nl.id = ${a}.label_id), 'null')`]);
    }
    return src.cat(objectPieces(fields));
  }

  /** The project row with its 8 counts, as Project.objects.with_counts().filter(id=...)[0] reads it. */
  async project(id) {
    if (this.projects.has(id)) return this.projects.get(id);
    const src = this.src;
    // projects/functions/__init__.py: each count is a (SELECT count(*) FROM (subquery) _count);
    // Project.objects hides soft-deleted projects (deleted_at IS NULL).
    const counts = [
      "SELECT count(*) FROM task t WHERE t.project_id = p.id",
      "SELECT count(*) FROM task t WHERE t.project_id = p.id AND t.is_labeled = TRUE",
      "SELECT count(*) FROM prediction r WHERE r.project_id = p.id",
      "SELECT count(*) FROM task_completion c WHERE c.project_id = p.id AND c.was_cancelled = FALSE",
      "SELECT count(*) FROM (SELECT DISTINCT c.task_id FROM task_completion c WHERE c.project_id = p.id " +
        "AND c.ground_truth = FALSE AND c.was_cancelled = FALSE AND c.result IS NOT NULL) _count",
      "SELECT count(*) FROM task_completion c WHERE c.project_id = p.id AND c.was_cancelled = FALSE " +
        "AND c.ground_truth = FALSE AND c.result IS NOT NULL",
      "SELECT count(*) FROM task_completion c WHERE c.project_id = p.id AND c.ground_truth = TRUE",
      "SELECT count(*) FROM task_completion c WHERE c.project_id = p.id AND c.was_cancelled = TRUE",
    ];
    const withCounts = this.rowSql("project", "p", null, COUNTS.map((name, i) => [name, src.intOf(counts[i])]));
    const rows = await src.all(`SELECT p.organization_id, ${withCounts} FROM project p WHERE p.id = ? AND p.deleted_at IS NULL`, [id]);
    const out = rows.length ? { organization: rows[0][0] == null ? null : intText(rows[0][0]), text: rows[0][1] } : null;
    this.projects.set(id, out);
    return out;
  }

  /** The organization's webhooks for this project (or organization webhooks only), by id, with their actions. */
  async webhookList(org, project) {
    const key = `${org}/${project}`;
    if (this.webhooks.has(key)) return this.webhooks.get(key);
    const rows = await this.src.all(
      `SELECT w.id, w.organization_id, w.project_id, w.url, w.send_payload, w.send_for_all_actions, w.headers, w.is_active
         FROM webhook w WHERE w.organization_id = ? AND (w.project_id IS NULL${project ? " OR w.project_id = ?" : ""})
         ORDER BY w.id`,
      project ? [org, project] : [org],
    );
    const actions = new Map();
    if (rows.length) {
      const ids = rows.map((r) => intText(r[0]));
      for (const [wid, action] of await this.src.all(
        `SELECT webhook_id, action FROM webhook_action WHERE ${this.src.inIds("webhook_id")} ORDER BY id`,
        [this.src.idsParam(ids)],
      )) {
        const k = intText(wid);
        if (!actions.has(k)) actions.set(k, []);
        actions.get(k).push(JSON.stringify(String(action)));
      }
    }
    const items = rows.map((r) => {
      const id = intText(r[0]);
      return (
        `{"id": ${id}, "organization": ${intText(r[1])}, "project": ${r[2] == null ? "null" : intText(r[2])}, ` +
        `"url": ${JSON.stringify(String(r[3]))}, "send_payload": ${boolText(r[4])}, ` +
        `"send_for_all_actions": ${boolText(r[5])}, "headers": ${r[6] == null ? "null" : jsonText(r[6])}, ` +
        `"is_active": ${boolText(r[7])}, "actions": [${(actions.get(id) || []).join(", ")}]}`
      );
    });
    const text = `[${items.join(", ")}]`;
    this.webhooks.set(key, text);
    return text;
  }

  async soleOrganization() {
    const rows = await this.src.all("SELECT id FROM organization ORDER BY id LIMIT 2");
    if (rows.length === 1) return intText(rows[0][0]);
    throw new DatabaseError(
      "INVALID_SELECTION",
      `${this.sel.action}: the database has ${rows.length} organizations: give the organization`,
    );
  }

  envelope(org, projectText, instanceText, webhooksText) {
    const [head, tail] = this.envelopeParts(org, projectText, webhooksText);
    return head + instanceText + tail;
  }

  /** The event's text before and after its instance. */
  envelopeParts(org, projectText, webhooksText) {
    const opts = `"batchSize": ${this.sel.batchSize}${this.sel.ssrfProtection ? "" : ', "ssrfProtection": false'}` +
      (this.bodyAs ? `, "bodyAs": ${JSON.stringify(this.bodyAs)}` : "");
    return [
      `{"action": "${this.sel.action}", "organization": ${org}, "project": ${projectText ?? "null"}, "instance": `,
      `, "webhooks": ${webhooksText}, "options": {${opts}}}`,
    ];
  }

  /** WHERE clause and parameters for the selected rows of one project (or of all). */
  where(alias, project) {
    const sel = this.sel;
    const parts = [];
    const params = [];
    if (project !== undefined) {
      parts.push(`${alias}.project_id = ?`);
      params.push(project);
    }
    if (sel.ids) {
      parts.push(this.src.inIds(`${alias}.id`));
      params.push(this.src.idsParam(sel.ids));
    }
    if (sel.since) {
      parts.push(`${alias}.${sel.spec.time} >= ?`);
      params.push(this.src.bound(sel.since));
    }
    if (sel.until) {
      parts.push(`${alias}.${sel.spec.time} < ?`);
      params.push(this.src.bound(sel.until));
    }
    return { parts, params };
  }

  /** The projects holding selected rows, in id order. */
  async rowProjects(table) {
    if (this.sel.project) return [this.sel.project];
    const { parts, params } = this.where("x");
    parts.push("x.project_id IS NOT NULL");
    const rows = await this.src.all(
      `SELECT DISTINCT x.project_id FROM ${table} x WHERE ${parts.join(" AND ")} ORDER BY x.project_id`,
      params,
    );
    return rows.map((r) => intText(r[0]));
  }

  async count(table, project) {
    const { parts, params } = this.where("x", project);
    const rows = await this.src.all(`SELECT count(*) FROM ${table} x WHERE ${parts.join(" AND ")}`, params);
    return Number(intText(rows[0][0]));
  }

  /**
   * The selected rows of one project, `size` at a time, by id (keyset: no offset scans).
   * joined: each page is { rows, text: "row, row, ..." }, joined by the database (one value to
   * transfer instead of `size` rows; with `bytes`, SQLite gives it as UTF-8 bytes, a Buffer:
   * no string to make and encode again). PostgreSQL is asked for the next page as soon as a
   * page arrives, so that the server writes it while this one is used.
   * Otherwise each page is the array of row texts.
   */
  async *pages(serializer, project, size, joined, bytes = false) {
    const src = this.src;
    const { parts, params } = this.where("x", project);
    const table = TABLE[serializer];
    let authorsIn = null;
    let paramsAt = (after) => [...params, after, size];
    if (serializer === "task") {
      // The page's tasks with comment authors: those in its id range (after, last id].
      const w = this.where("x2", project);
      const last = `(SELECT max(u.id) FROM (SELECT x2.id AS id FROM ${table} x2 WHERE ${[...w.parts, "x2.id > ?"].join(" AND ")} ` +
        "ORDER BY x2.id LIMIT ?) u)";
      authorsIn = `SELECT ca.task_id FROM task_comment_authors ca WHERE ca.task_id > ? AND ca.task_id <= ${last}`;
      paramsAt = (after) => [after, ...w.params, after, size, ...params, after, size];
    }
    const page =
      `SELECT x.id AS id, ${this.rowSql(serializer, "x", this.sel.spec.nested, [], authorsIn)} AS r FROM ${table} x ` +
      `WHERE ${[...parts, "x.id > ?"].join(" AND ")} ORDER BY x.id LIMIT ?`;
    if (!joined) {
      let after = "0";
      for (;;) {
        const rows = await src.all(page, paramsAt(after));
        if (!rows.length) return;
        yield rows.map((r) => r[1]);
        if (rows.length < size) return;
        after = intText(rows[rows.length - 1][0]);
      }
    }
    // The order of the rows: an aggregate joins them in the order the page yields them (by id)
    // but neither database promises it without an ORDER BY, which sorts the page's text again
    // (15-20% of a page's time). So the ids are joined alongside: in ascending order (always,
    // so far) the text is in id order; otherwise the page is read again with the ORDER BY.
    const pageSql = (ordered) =>
      `SELECT ${src.intOf("count(*)")}, ${src.intOf("max(b.id)")}, ${src.joinText("b.r", ordered ? "b.id" : null, bytes)}, ` +
      `${ordered ? "NULL" : src.joinText(src.intOf("b.id"), null, false, ",")} FROM (${page}) b`;
    const sql = pageSql(false);
    const ahead = src.dialect === "postgresql";
    let next = null; // the next page, asked for ahead
    try {
      let after = "0";
      for (;;) {
        const params1 = paramsAt(after);
        let p = await (next || src.joinedPage(sql, params1, bytes));
        next = null;
        if (!p.rows) return;
        if (p.rows === size) {
          after = p.last;
          if (ahead) {
            next = src.joinedPage(sql, paramsAt(after), bytes);
            next.catch(() => {}); // awaited (and its error thrown) at the next step, or in finally
          }
        }
        if (!ascending(p.ids)) p = await src.joinedPage(pageSql(true), params1, bytes);
        yield { rows: p.rows, text: p.text };
        if (p.rows < size) return;
      }
    } finally {
      if (next) await next.catch(() => {});
    }
  }
}

/** Whether "3,5,10" (decimal ids without leading zeros) is in ascending order. */
function ascending(ids) {
  if (typeof ids !== "string" || !/^\d+(?:,\d+)*$/.test(ids)) return false;
  const a = ids.split(",");
  for (let i = 1; i < a.length; i++) {
    const p = a[i - 1];
    const q = a[i];
    if (p.length > q.length || (p.length === q.length && p >= q)) return false;
  }
  return true;
}

/** head + text (a string, or UTF-8 bytes) + tail, as one Buffer of UTF-8 bytes. */
function joinBytes(head, text, tail) {
  const n = typeof text === "string" ? Buffer.byteLength(text, "utf8") : text.length;
  const b = Buffer.allocUnsafe(head.length + n + tail.length);
  head.copy(b, 0);
  if (typeof text === "string") b.write(text, head.length, n, "utf8");
  else text.copy(b, head.length);
  tail.copy(b, head.length + n);
  return b;
}

/**
 * The events of Label Studio 1.23.2 for `selection`, read from its database, as JSON text
 * (the exact path of buildDeliveries/planBatches: big ints, 1.0 vs 1 and key order survive).
 *
 * db: a SQLite file path (opened read-only), a postgres:// URL (one READ ONLY transaction), an
 *     open better-sqlite3 Database, or a connected pg Client.
 * selection: { action, ids?, project?, organization?, since?, until?, batchSize?, ssrfProtection? }
 * options:   { info: true } yields { event, action, emission, batch, batchCount, project, rows };
 *            { bytes: true } gives each event as UTF-8 bytes (a Buffer) instead of a string (the
 *            rows of a list action's batch are then never a string on SQLite); { bodyAs } is
 *            written into each event's options ("bytes": buildDeliveries gives UTF-8 bodies)
 *
 * A list action (TASKS_CREATED, ANNOTATIONS_CREATED, LABEL_LINK_CREATED, TASKS_DELETED,
 * ANNOTATIONS_DELETED) sends all selected rows of a project as one emission, cut into batches
 * of batchSize as Label Studio cuts them; each yielded text is one such batch (its
 * options.batchSize is batchSize, so it plans as exactly one batch) and only one batch of rows
 * is held at a time (two on PostgreSQL: the next is read while one is used). The other actions
 * yield one event per row.
 *
 * A rebuilt event carries the rows as they are in the database now, not as they were when the
 * event happened. The *_DELETED actions take ids: the rows are gone, and Label Studio sends only ids.
 */
function eventsFromDatabase(db, selection, options = {}) {
  const sel = normalizeSelection(selection);
  const o = options || {};
  if (o.bodyAs !== undefined && o.bodyAs !== null && o.bodyAs !== "string" && o.bodyAs !== "bytes") {
    throw new DatabaseError("INVALID_SELECTION", `bodyAs: expected "string" or "bytes", got ${JSON.stringify(o.bodyAs)}`);
  }
  const summary = { emissions: 0, events: 0, rows: 0, missingProjects: [], idsNotFound: 0 };
  const gen = generate(db, sel, { info: Boolean(o.info), bytes: Boolean(o.bytes), bodyAs: o.bodyAs || null }, summary);
  gen.summary = summary;
  return gen;
}

async function* generate(db, sel, { info, bytes, bodyAs }, summary) {
  const src = await openSource(db);
  try {
    const r = new Reader(src, sel, bodyAs);
    const out = (event, meta) => {
      summary.events++;
      if (bytes && typeof event === "string") event = Buffer.from(event, "utf8");
      return info ? { event, action: sel.action, ...meta } : event;
    };
    const spec = sel.spec;

    // ---- deleted rows: the ids, as Label Studio sends them
    if (!spec.rows) {
      let org = sel.organization;
      let projectText = null;
      if (sel.project) {
        const p = await r.project(sel.project);
        if (!p) {
          throw new DatabaseError(
            "MISSING_ROW",
            `project ${sel.project} is not in the database (or is deleted); without a project only organization ` +
              "webhooks receive the event, as from Label Studio's delete-all",
          );
        }
        projectText = p.text;
        if (org && org !== p.organization) {
          throw new DatabaseError("INVALID_SELECTION", `project ${sel.project} belongs to organization ${p.organization}, not ${org}`);
        }
        org = p.organization;
      }
      if (!org) org = await r.soleOrganization();
      const hooks = await r.webhookList(org, sel.project);
      const ids = sel.ids;
      if (spec.many) {
        summary.emissions++;
        const batchCount = Math.ceil(ids.length / sel.batchSize);
        for (let b = 0; b < batchCount; b++) {
          const chunk = ids.slice(b * sel.batchSize, (b + 1) * sel.batchSize);
          summary.rows += chunk.length;
          const inst = `[${chunk.map((id) => `{"id": ${id}}`).join(", ")}]`;
          yield out(r.envelope(org, projectText, inst, hooks), {
            emission: summary.emissions, batch: b, batchCount, project: sel.project, rows: chunk.length,
          });
        }
      } else {
        for (const id of ids) {
          summary.emissions++;
          summary.rows++;
          yield out(r.envelope(org, projectText, `{"id": ${id}}`, hooks), {
            emission: summary.emissions, batch: 0, batchCount: 1, project: sel.project, rows: 1,
          });
        }
      }
      return;
    }

    // ---- projects: one event per project
    if (spec.rows === "project") {
      const { parts, params } = r.where("x");
      if (sel.project) {
        parts.push("x.id = ?");
        params.push(sel.project);
      }
      if (sel.organization) {
        parts.push("x.organization_id = ?");
        params.push(sel.organization);
      }
      parts.push("x.deleted_at IS NULL");
      const ids = (await src.all(`SELECT x.id FROM project x WHERE ${parts.join(" AND ")} ORDER BY x.id`, params)).map((row) => intText(row[0]));
      if (sel.project && !ids.length) summary.missingProjects.push(sel.project);
      for (const id of ids) {
        const p = await r.project(id);
        if (!p) {
          summary.missingProjects.push(id);
          continue;
        }
        summary.emissions++;
        summary.rows++;
        const orgOnly = spec.orgOnly;
        const hooks = await r.webhookList(p.organization, orgOnly ? null : id);
        yield out(r.envelope(p.organization, orgOnly ? null : p.text, p.text, hooks), {
          emission: summary.emissions, batch: 0, batchCount: 1, project: id, rows: 1,
        });
      }
      if (sel.ids) summary.idsNotFound = sel.ids.length - summary.rows;
      return;
    }

    // ---- tasks, annotations, label links: per project
    const table = TABLE[spec.rows];
    for (const pid of await r.rowProjects(table)) {
      const p = await r.project(pid);
      if (!p) {
        summary.missingProjects.push(pid);
        continue;
      }
      if (sel.organization && sel.organization !== p.organization) continue;
      const hooks = await r.webhookList(p.organization, pid);
      if (spec.many) {
        const total = await r.count(table, pid);
        if (!total) continue;
        const batchCount = Math.ceil(total / sel.batchSize);
        summary.emissions++;
        let b = 0;
        const [head, tail] = r.envelopeParts(p.organization, p.text, hooks);
        const headBytes = bytes ? Buffer.from(`${head}[`, "utf8") : null;
        const tailBytes = bytes ? Buffer.from(`]${tail}`, "utf8") : null;
        for await (const page of r.pages(spec.rows, pid, sel.batchSize, true, bytes)) {
          summary.rows += page.rows;
          yield out(bytes ? joinBytes(headBytes, page.text, tailBytes) : `${head}[${page.text}]${tail}`, {
            emission: summary.emissions, batch: b++, batchCount, project: pid, rows: page.rows,
          });
        }
      } else {
        // One event per row (these actions are one emission per row in Label Studio).
        for await (const page of r.pages(spec.rows, pid, sel.batchSize, false)) {
          for (const row of page) {
            summary.emissions++;
            summary.rows++;
            yield out(r.envelope(p.organization, p.text, row, hooks), {
              emission: summary.emissions, batch: 0, batchCount: 1, project: pid, rows: 1,
            });
          }
        }
      }
    }
    if (sel.ids) summary.idsNotFound = sel.ids.length - summary.rows;
  } finally {
    await src.close();
  }
}

module.exports = { eventsFromDatabase, DatabaseError, ACTIONS, COUNTS, requireDriver, isPgUrl, redact };
