// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp dir, pg_ctl start on
// 127.0.0.1:<free port> (trust authentication, loopback only), stop and remove.
//
// Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin, not on PATH; the
// newest version there wins, then PATH. initdb and postgres refuse to run as root: as root they
// run as the `postgres` user (created by Debian's postgresql package) through runuser.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export function pgBin(name) {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const p = path.join(base, v, "bin", name);
    if (fs.existsSync(p)) return p;
  }
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return null;
}

/** Why a PostgreSQL server cannot be started here, or null. */
export function pgMissing() {
  const missing = ["initdb", "pg_ctl", "postgres", "psql"].filter((n) => !pgBin(n));
  if (missing.length) return `PostgreSQL binaries not found: ${missing.join(", ")} (Debian: apt-get install postgresql)`;
  if (process.getuid && process.getuid() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0) {
    return "running as root and there is no `postgres` user to run initdb/postgres as";
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startPg({ user = "postgres" } = {}) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-pg-"));
  const data = path.join(base, "data");
  const asRoot = process.getuid && process.getuid() === 0;
  const prefix = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    fs.chownSync(base, uid, gid);
  }
  const run = (args) => {
    const [cmd, ...rest] = [...prefix, ...args];
    execFileSync(cmd, rest, { stdio: ["ignore", "pipe", "pipe"] });
  };
  const port = await freePort();
  run([pgBin("initdb"), "-D", data, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -k ${base} -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  run([pgBin("pg_ctl"), "-D", data, "-o", opts, "-l", path.join(base, "log"), "-w", "start"]);
  const url = (db) => `postgres://${user}@127.0.0.1:${port}/${db}`;
  return {
    port,
    url,
    /** psql with SQL text on stdin (ON_ERROR_STOP). */
    psql(db, sql) {
      execFileSync(pgBin("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db], {
        input: sql,
        stdio: ["pipe", "pipe", "pipe"],
        maxBuffer: 1 << 30,
      });
    },
    stop() {
      try {
        run([pgBin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
