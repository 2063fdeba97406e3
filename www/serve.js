#!/usr/bin/env node
// The payload preview's local server: `node www/serve.js [--port N]`.
//
// Serves, from the repository, only what the page needs, on 127.0.0.1 only:
//   /www/              the page and its web-target build (www/pkg/)
//   /samples/events/   the sample event of each action (read at request time)
//   /docs/             the generated reference; a .md file is shown as HTML
//                      with GitHub-style heading anchors (#tasks_created)
// Nothing else, no dependencies, nothing fetched from the network.
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const HOST = "127.0.0.1";
const ROOT = path.resolve(__dirname, "..");
const MOUNTS = ["www", "samples/events", "docs"];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".md": "text/markdown; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

// The page needs no inline script or style and no other origin; wasm needs
// 'wasm-unsafe-eval'. connect-src 'self' keeps the preview offline.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to -. */
function slug(heading) {
  return heading
    .replace(/<[^>]*>/g, "")
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function inline(text) {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, (m, code) => `<code>${code.replace(/\*/g, "&#42;").replace(/_/g, "&#95;")}</code>`)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label, href) =>
      /^(javascript|data|vbscript):/i.test(href.replace(/&amp;/g, "&")) ? label : `<a href="${href}">${label}</a>`);
}

function tableCells(line) {
  const cells = [];
  let cur = "";
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && body[i + 1] === "|") { cur += "|"; i++; }
    else if (body[i] === "|") { cells.push(cur.trim()); cur = ""; }
    else cur += body[i];
  }
  cells.push(cur.trim());
  return cells;
}

/**
 * A small Markdown view, enough to read the generated reference offline:
 * headings with GitHub's anchors, fenced code, tables, lists, paragraphs.
 */
function markdownPage(title, md) {
  const out = [];
  const seen = new Map();
  const lines = md.replace(/\r\n?/g, "\n").replace(/<!--[\s\S]*?-->/g, "").split("\n");
  let para = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`);
    para = [];
  };
  const isBlockStart = (l) => /^(#{1,6}\s|```|~~~|\s*\||\s*([-*+]|\d+\.)\s)/.test(l);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) body.push(lines[i]);
      out.push(`<pre>${escapeHtml(body.join("\n"))}</pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      let id = slug(h[2]);
      const n = seen.get(id) || 0;
      seen.set(id, n + 1);
      if (n) id += `-${n}`;
      out.push(`<h${h[1].length} id="${escapeHtml(id)}">${inline(h[2])}</h${h[1].length}>`);
      continue;
    }
    const anchor = /^\s*<a\s+(?:id|name)="([^"]+)"\s*>\s*<\/a>\s*$/.exec(line);
    if (anchor) {
      flush();
      out.push(`<a id="${escapeHtml(anchor[1])}"></a>`);
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      flush();
      const head = tableCells(line);
      const rows = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i++) rows.push(tableCells(lines[i]));
      i--;
      out.push(`<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>` +
        rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("\n") + "</tbody></table>");
      continue;
    }
    const item = /^(\s*)([-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[2]);
      const items = [item[3]];
      while (i + 1 < lines.length && lines[i + 1].trim() !== "" && !/^(#{1,6}\s|```|~~~|\s*\|)/.test(lines[i + 1])) {
        const next = /^\s*([-*+]|\d+\.)\s+(.*)$/.exec(lines[++i]);
        if (next) items.push(next[2]);
        else items[items.length - 1] += " " + lines[i].trim();
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join("")}</${tag}>`);
      continue;
    }
    if (line.trim() === "") flush();
    else if (isBlockStart(line)) { flush(); para.push(line.trim()); }
    else para.push(line.trim());
  }
  flush();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="/www/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/www/doc.css"></head>
<body><main class="doc">
<p class="crumbs"><a href="/www/">&larr; payload preview</a> &middot; <a href="?raw">raw Markdown</a></p>
${out.join("\n")}
</main></body></html>
`;
}

function send(res, status, type, body, extra = {}) {
  res.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    ...extra,
  });
  res.end(body);
}

function notFound(res, pathname) {
  let hint = "";
  if (pathname.startsWith("/www/pkg/")) {
    hint = "<p>The web build is missing: run <code>bash scripts/setup.sh</code> " +
      "(or <code>bash scripts/build-web.sh</code>).</p>";
  } else if (pathname.startsWith("/docs/")) {
    hint = "<p>This reference is generated into <code>docs/</code>; it is not there yet in this checkout.</p>";
  }
  send(res, 404, "text/html; charset=utf-8",
    `<!doctype html><meta charset="utf-8"><title>Not found</title><link rel="stylesheet" href="/www/doc.css">` +
    `<main class="doc"><h1>Not found</h1><p><code>${escapeHtml(pathname)}</code></p>${hint}<p><a href="/www/">Back to the preview</a></p></main>`);
}

function handler(port) {
  return (req, res) => {
    // Loopback only, and no DNS rebinding: the Host must name this server.
    const host = String(req.headers.host || "").toLowerCase();
    if (host !== `${HOST}:${port()}` && host !== `localhost:${port()}`) {
      return send(res, 421, "text/plain; charset=utf-8", "wrong host\n");
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n", { Allow: "GET, HEAD" });
    }
    let url;
    try {
      url = new URL(req.url, `http://${HOST}`);
    } catch {
      return send(res, 400, "text/plain; charset=utf-8", "bad request\n");
    }
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, "text/plain; charset=utf-8", "bad request\n");
    }
    if (pathname === "/" || pathname === "/www") {
      res.writeHead(302, { Location: "/www/", "Content-Length": 0 });
      return res.end();
    }
    if (pathname === "/favicon.ico") pathname = "/www/favicon.svg";
    if (pathname.includes("\0")) return notFound(res, "(bad path)");
    const rel = path.posix.normalize(pathname).replace(/^\/+/, "");
    const mount = MOUNTS.find((m) => rel === m || rel.startsWith(m + "/"));
    if (!mount || rel.split("/").some((seg) => seg === ".." || seg.startsWith("."))) return notFound(res, pathname);
    let file = path.join(ROOT, rel);
    if (!file.startsWith(path.join(ROOT, mount))) return notFound(res, pathname);

    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!pathname.endsWith("/")) {
          res.writeHead(301, { Location: pathname + "/" + url.search, "Content-Length": 0 });
          return res.end();
        }
        file = path.join(file, "index.html");
      }
      fs.readFile(file, (err2, data) => {
        if (err2) return notFound(res, pathname);
        const ext = path.extname(file);
        if (ext === ".md" && !url.searchParams.has("raw")) {
          return send(res, 200, "text/html; charset=utf-8", markdownPage(path.relative(ROOT, file), data.toString("utf8")));
        }
        const body = req.method === "HEAD" ? "" : data;
        res.writeHead(200, {
          "Content-Type": TYPES[ext] || "application/octet-stream",
          "Content-Length": data.length,
          "Cache-Control": "no-cache",
          "X-Content-Type-Options": "nosniff",
          "Content-Security-Policy": CSP,
          "Referrer-Policy": "no-referrer",
        });
        res.end(body);
      });
    });
  };
}

/** Starts the server; resolves to { server, port, url } (port 0: any free port). */
function start({ port = 8787 } = {}) {
  return new Promise((resolve, reject) => {
    let bound = port;
    const server = http.createServer(handler(() => bound));
    server.once("error", reject);
    server.listen(port, HOST, () => {
      bound = server.address().port;
      resolve({ server, port: bound, url: `http://${HOST}:${bound}/www/` });
    });
  });
}

function parseArgs(argv) {
  const opts = { port: 8787 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--port(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[1] ?? argv[++i];
      if (!/^\d+$/.test(v || "") || Number(v) > 65535) throw new Error(`--port takes a number from 0 to 65535, not ${v}`);
      opts.port = Number(v);
    } else if (a === "-h" || a === "--help") {
      opts.help = true;
    } else {
      throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

if (require.main === module) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve.js: ${e.message}\nusage: node www/serve.js [--port N]`);
    process.exit(2);
  }
  if (opts.help) {
    console.log("usage: node www/serve.js [--port N]   (serves the payload preview on 127.0.0.1; default port 8787)");
    process.exit(0);
  }
  if (!fs.existsSync(path.join(__dirname, "pkg", "ls_webhooks.js"))) {
    console.warn("warning: www/pkg/ is missing; build it with: bash scripts/build-web.sh");
  }
  start(opts).then(
    ({ url }) => console.log(`ls-webhooks payload preview: ${url}  (Ctrl-C to stop)`),
    (e) => {
      console.error(`serve.js: ${e.code === "EADDRINUSE" ? `port ${opts.port} is in use; try --port 0` : e.message}`);
      process.exit(1);
    },
  );
}

module.exports = { start, markdownPage, slug };
