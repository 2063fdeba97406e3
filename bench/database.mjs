// Redelivery from Label Studio's own database at scale (issue 13). Not a test: it prints figures.
//
//   node bench/database.mjs [--tasks 1000000] [--pg] [--keep] [--runs N] [--also DIR]
//
// 1. A SQLite database with Label Studio 1.23.2's schema, made by its own Django migrations
//    (`manage.py migrate` from the capture venv, tools/capture/setup.sh; cached in
//    target/bench-db/), then filled here: an organization, a user, a project, two webhooks
//    that receive payloads (a project webhook for all actions, an organization webhook for
//    TASKS_CREATED) and N tasks of about 600 bytes (bench/make_event.py's rows).
// 2. `ls-webhooks redeliver --db FILE --action TASKS_CREATED --json > /dev/null` in a child
//    process (js/commands/redeliver.js, writing to its stdout as the command does): wall time,
//    peak RSS (the child's maxRSS) and CPU time (user + system: more than the wall time when
//    the database works beside it), and the same as a dry run (summary only). With --runs N,
//    each N times (interleaved): the median, and the range; the load average (1 min) is
//    printed with each run, for the machine is shared. --also DIR: the same runs, interleaved,
//    with DIR/js/commands/redeliver.js (another checkout, e.g. `git worktree add DIR HEAD`
//    with its pkg/ built or linked): before and after under the same load.
// 3. With --pg: the same rows in a PostgreSQL server started here on loopback (schema: the
//    pg_dump --schema-only of Label Studio 1.23.2's migrations from the PostgreSQL fixtures;
//    rows loaded with COPY), and the same two runs against its postgres:// URL.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt("tasks", 1000000);
const PG = args.includes("--pg");
const KEEP = args.includes("--keep");
const RUNS = opt("runs", 1);
const ALSO = args.includes("--also") ? path.resolve(args[args.indexOf("--also") + 1]) : null;
const ROOTS = [root, ...(ALSO ? [ALSO] : [])];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-dbbench-"));
const log = (s) => process.stderr.write(s + "\n");

// ---- Label Studio 1.23.2's schema, from its migrations
function schemaDb() {
  const cache = path.join(root, "target", "bench-db", "ls-1.23.2-schema.sqlite3");
  if (fs.existsSync(cache)) return cache;
  const venv = process.env.LS_VENV || path.join(root, "tools", "capture", ".venv");
  const py = path.join(venv, "bin", "python");
  if (!fs.existsSync(py)) throw new Error(`no capture venv at ${venv}: run tools/capture/setup.sh (label-studio==1.23.2)`);
  const lsDir = execFileSync(py, ["-c", "import label_studio, os; print(os.path.dirname(label_studio.__file__))"]).toString().trim();
  const dataDir = fs.mkdtempSync(path.join(tmp, "ls-data-"));
  log("running Label Studio 1.23.2's migrations (once; cached in target/bench-db/)...");
  const t = Date.now();
  execFileSync(py, [path.join(lsDir, "manage.py"), "migrate", "--no-color", "-v", "0"], {
    cwd: lsDir,
    env: { ...process.env, LABEL_STUDIO_BASE_DATA_DIR: dataDir, DJANGO_DB: "sqlite", DEBUG: "false", LOG_LEVEL: "ERROR", SENTRY_DSN: "", LATEST_VERSION_CHECK: "false" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  log(`  migrations: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  fs.copyFileSync(path.join(dataDir, "label_studio.sqlite3"), cache);
  return cache;
}

// ---- the rows
const WORDS = ("the service was quick and friendly, coffee excellent; prices fair but the wifi kept dropping " +
  "café crème brûlée naïve déjà 東京 😀 good bad okay would return never again").split(" ");

/** Python's json.dumps (ensure_ascii, ", " and ": "), as Django stores a JSONField. */
function pyJson(v) {
  return JSON.stringify(v)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (m, str, sep) => str || (sep === "," ? ", " : ": "));
}

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function* tasks(n) {
  const r = rng(42);
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    const words = [];
    for (let k = 10 + Math.floor(r() * 7); k > 0; k--) words.push(WORDS[Math.floor(r() * WORDS.length)]);
    const data = { text: words.join(" "), meta_info: { source: "import.csv", row: i, score: Math.round(r() * 1e6) / 1e6, ok: i % 3 === 0 } };
    const t = new Date(base + i * 37).toISOString().replace("T", " ").replace("Z", "") + String(Math.floor(r() * 1000)).padStart(3, "0");
    yield { data: pyJson(data), t, inner: i + 1 };
  }
}

const PROJECT = 1;
const CONFIG = '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';
const PARSED = pyJson({ sentiment: { type: "Choices", to_name: ["text"], inputs: [{ type: "Text", value: "text", valueType: null }], labels: ["Positive", "Negative"], labels_attrs: { Positive: { value: "Positive" }, Negative: { value: "Negative" } } } });

function fillSqlite(file) {
  const Database = require("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("foreign_keys = OFF");
  const now = "2026-01-01 00:00:00.000000";
  db.prepare("INSERT INTO organization (id, title, created_at, updated_at) VALUES (1, 'Bench org', ?, ?)").run(now, now);
  db.prepare(`INSERT INTO htx_user (id, password, is_superuser, username, email, first_name, last_name, is_staff, is_active,
      date_joined, last_activity, activity_at, phone, avatar, active_organization_id)
      VALUES (1, '!', 0, 'bench', 'bench@example.com', '', '', 0, 1, ?, ?, ?, '', '', 1)`).run(now, now, now);
  db.prepare(`INSERT INTO project (id, title, description, label_config, parsed_label_config, label_config_hash,
      expert_instruction, show_instruction, show_skip_button, enable_empty_annotation, reveal_preannotations_interactively,
      show_annotation_history, show_collab_predictions, evaluate_predictions_automatically, token, result_count, color,
      maximum_annotations, min_annotations_to_start_training, control_weights, model_version, data_types, is_draft,
      is_published, created_at, updated_at, sampling, skip_queue, show_ground_truth_first, show_overlap_first,
      overlap_cohort_percentage, organization_id, created_by_id)
      VALUES (?, 'Bench project', 'One million tasks', ?, ?, 8755930484223552274, '', 0, 1, 1, 0, 0, 1, 0, 'tok', 0, '#FFFFFF',
      1, 0, ?, '', ?, 0, 0, ?, ?, 'Sequential sampling', 'REQUEUE_FOR_OTHERS', 0, 0, 100, 1, 1)`)
    .run(PROJECT, CONFIG, PARSED, pyJson({ sentiment: { type: "Choices", labels: { Positive: 1.0, Negative: 1.0 }, overall: 1.0 } }), pyJson({ text: "Text" }), now, now);
  const hook = db.prepare(`INSERT INTO webhook (id, organization_id, project_id, url, send_payload, send_for_all_actions, headers,
      is_active, created_at, updated_at) VALUES (?, 1, ?, ?, 1, ?, ?, 1, ?, ?)`);
  hook.run(1, PROJECT, "https://ml.example.com/label-studio/hook", 1, pyJson({ Authorization: "Bearer bench" }), now, now);
  hook.run(2, null, "https://audit.example.org/events", 0, "{}", now, now);
  db.prepare("INSERT INTO webhook_action (webhook_id, action) VALUES (2, 'TASKS_CREATED')").run();
  const ins = db.prepare(`INSERT INTO task (data, meta, created_at, updated_at, is_labeled, project_id, overlap, file_upload_id,
      updated_by_id, inner_id, total_annotations, cancelled_annotations, total_predictions, comment_count,
      unresolved_comment_count, allow_skip) VALUES (?, '{}', ?, ?, 0, ${PROJECT}, 1, NULL, NULL, ?, 0, 0, 0, 0, 0, 1)`);
  const t0 = Date.now();
  const batch = db.transaction((rows) => { for (const r of rows) ins.run(r.data, r.t, r.t, r.inner); });
  let rows = [];
  for (const r of tasks(N)) {
    rows.push(r);
    if (rows.length === 50000) { batch(rows); rows = []; }
  }
  batch(rows);
  db.close();
  log(`  ${N.toLocaleString("en-US")} tasks inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
}

// ---- the runs
const RUNNER = `
const { redeliverCommand } = require(process.argv[1]);
const t = process.hrtime.bigint();
redeliverCommand(process.argv.slice(2), { err: (s) => process.stderr.write(s + "\\n") }).then((code) => {
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const u = process.resourceUsage();
  process.stderr.write("@@" + JSON.stringify({ code, ms, maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + "\\n");
  process.exitCode = code;
});`;

function measure(dir, argv) {
  return new Promise((resolve, reject) => {
    const devnull = fs.openSync("/dev/null", "w");
    const command = path.join(dir, "js", "commands", "redeliver.js");
    const child = spawn(process.execPath, ["-e", RUNNER, "--", command, ...argv], { stdio: ["ignore", devnull, "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const t = Date.now();
    child.on("close", (code) => {
      fs.closeSync(devnull);
      const m = /@@(\{.*\})/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`redeliver failed (${code}):\n${err}`));
      resolve({ wallMs: Date.now() - t, ...JSON.parse(m[1]), summary: err.split("\n").filter((l) => /^ {2}(events|deliveries)/.test(l)).join("; ") });
    });
  });
}

async function runs(dbLabel, db) {
  const modes = [];
  for (const dir of ROOTS) {
    const label = dir === root ? dbLabel : `${dbLabel} (${dir})`;
    modes.push([label, "--json > /dev/null", dir, ["--json"]], [label, "dry run", dir, []]);
  }
  const all = modes.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, [label, mode, dir, extra]] of modes.entries()) {
      const load = os.loadavg()[0];
      const r = await measure(dir, ["--db", db, "--action", "TASKS_CREATED", ...extra]);
      all[i].push({ ...r, load });
      log(`  ${label} ${mode}: ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, peak RSS ` +
        `${(r.maxRssKiB / 1024).toFixed(0)} MiB, load ${load.toFixed(2)}${r.summary ? ` (${r.summary.trim().replace(/\s+/g, " ")})` : ""}`);
    }
  }
  return modes.map(([label, mode], i) => {
    const rs = all[i].slice().sort((a, b) => a.wallMs - b.wallMs);
    const median = rs[(rs.length - 1) >> 1];
    return {
      label, mode, ...median, perTask: median.wallMs / N,
      minMs: rs[0].wallMs, maxMs: rs[rs.length - 1].wallMs,
      maxRssKiB: Math.max(...rs.map((r) => r.maxRssKiB)),
      loads: rs.map((r) => r.load),
    };
  });
}

async function pgRuns(file) {
  const { pgMissing, startPg } = await import(path.join(root, "tests", "node", "pg-server.mjs"));
  const why = pgMissing();
  if (why) {
    log(`skipping PostgreSQL: ${why}`);
    return [];
  }
  const server = await startPg();
  try {
    const bundle = path.join(root, "tests", "fixtures", "label-studio-1.23.2-db", "postgresql", "tasks-created.tar.br");
    const { untar } = await import(path.join(root, "tests", "node", "fixture-archive.mjs"));
    const schema = untar(bundle).get("schema.sql").toString("utf8");
    server.psql("postgres", "CREATE DATABASE bench;");
    server.psql("bench", schema);
    // The same rows, copied out of the SQLite database into COPY's text format.
    const Database = require("better-sqlite3");
    const src = new Database(file, { readonly: true });
    src.defaultSafeIntegers(true);
    const esc = (v) => (v === null ? "\\N" : String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));
    const bool = (v) => (v === null ? "\\N" : v ? "t" : "f");
    const copy = (table, cols, rows, kinds) =>
      `COPY ${table} (${cols.join(", ")}) FROM stdin;\n` +
      rows.map((r) => r.map((v, i) => (kinds[i] === "b" ? bool(v === null ? null : Number(v)) : kinds[i] === "t" && v !== null ? `${esc(v)}+00` : esc(v))).join("\t")).join("\n") +
      "\n\\.\n";
    const table = (name, cols, kinds) => copy(name, cols, src.prepare(`SELECT ${cols.join(", ")} FROM ${name}`).raw(true).all(), kinds);
    let sql = "SET session_replication_role = replica;\n";
    sql += table("organization", ["id", "title", "created_at", "updated_at"], ["i", "s", "t", "t"]);
    sql += table("htx_user", ["id", "password", "is_superuser", "username", "email", "first_name", "last_name", "is_staff", "is_active", "date_joined", "last_activity", "activity_at", "phone", "avatar", "active_organization_id"],
      ["i", "s", "b", "s", "s", "s", "s", "b", "b", "t", "t", "t", "s", "s", "i"]);
    // search_vector is a generated column on PostgreSQL
    const pcols = src.prepare("PRAGMA table_info(project)").all().map((c) => [c.name, c.type]).filter(([n]) => n !== "search_vector");
    // Same migrations, same columns: the project row as the SQLite one holds it.
    sql += table("project", pcols.map(([n]) => n), pcols.map(([, t]) => (/bool/i.test(t) ? "b" : /datetime/i.test(t) ? "t" : "s")));
    sql += table("webhook", ["id", "organization_id", "project_id", "url", "send_payload", "send_for_all_actions", "headers", "is_active", "created_at", "updated_at"], ["i", "i", "i", "s", "b", "b", "s", "b", "t", "t"]);
    sql += table("webhook_action", ["id", "webhook_id", "action"], ["i", "i", "s"]);
    server.psql("bench", sql);
    const t0 = Date.now();
    const tcols = ["id", "data", "meta", "created_at", "updated_at", "is_labeled", "project_id", "overlap", "inner_id", "total_annotations", "cancelled_annotations", "total_predictions", "comment_count", "unresolved_comment_count", "allow_skip"];
    const kinds = ["i", "s", "s", "t", "t", "b", "i", "i", "i", "i", "i", "i", "i", "i", "b"];
    const it = src.prepare(`SELECT ${tcols.join(", ")} FROM task ORDER BY id`).raw(true).iterate();
    let chunk = [];
    const flush = () => { server.psql("bench", copy("task", tcols, chunk, kinds)); chunk = []; };
    for (const r of it) {
      chunk.push(r);
      if (chunk.length === 200000) flush();
    }
    if (chunk.length) flush();
    server.psql("bench", "ANALYZE;");
    src.close();
    log(`  PostgreSQL: ${N.toLocaleString("en-US")} tasks loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return await runs("PostgreSQL", server.url("bench"));
  } finally {
    server.stop();
  }
}

try {
  const file = path.join(tmp, "label_studio.sqlite3");
  fs.copyFileSync(schemaDb(), file);
  log(`filling ${file}...`);
  fillSqlite(file);
  const results = await runs("SQLite", file);
  if (PG) results.push(...(await pgRuns(file)));
  console.log(`\n${N.toLocaleString("en-US")} tasks, TASKS_CREATED, batches of 5,000, 2 payload targets; node ${process.version}, ${os.cpus().length} cores` +
    (RUNS > 1 ? `; median of ${RUNS} runs (range), peak RSS the highest` : "") + "\n");
  console.log("| database | run | wall s | µs per task | per 5,000 tasks | CPU s | peak RSS MiB | load (1 min) |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  const range = (r) => (RUNS > 1 ? ` (${((r.minMs / N) * 5000).toFixed(0)}-${((r.maxMs / N) * 5000).toFixed(0)})` : "");
  for (const r of results) {
    console.log(`| ${r.label} | \`redeliver ${r.mode}\` | ${(r.wallMs / 1000).toFixed(1)} | ${(r.perTask * 1000).toFixed(1)} | ` +
      `${(r.perTask * 5000).toFixed(0)} ms${range(r)} | ${(r.cpuMs / 1000).toFixed(1)} | ${(r.maxRssKiB / 1024).toFixed(0)} | ` +
      `${r.loads.map((l) => l.toFixed(1)).join(", ")} |`);
  }
} finally {
  if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
