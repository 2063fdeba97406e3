// Shared by the package, CLI and example tests: loopback receivers and a CLI runner.
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "js", "cli.js");

/**
 * A receiver on 127.0.0.1 that records every request. Paths starting with /hang are
 * recorded in `hung` and never answered (until close()).
 */
export function startReceiver() {
  const received = [], hung = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const got = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      if (req.url.startsWith("/hang")) return hung.push(got);
      received.push(got);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      received, hung,
      close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
    }));
  });
}

/** A loopback URL nothing listens on (a port just released): connecting is refused. */
export function refusedUrl() {
  const server = http.createServer();
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(`http://127.0.0.1:${port}/refused`));
    });
  });
}

/** Runs a command without blocking the event loop (the receivers live in this process). */
export function run(cmd, args, { input, env = {}, cwd = ROOT, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out = [], err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`${cmd} ${args.join(" ")}: timed out`)); }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.end(input ?? "");
  });
}

export const runCli = (args, opts) => run(process.execPath, [CLI, ...args], opts);
