// The payload preview: an event in, every delivery Label Studio 1.23.2 would
// send out, computed in the page by the library's web build (www/pkg/).
//
// The editor's TEXT goes to buildDeliveries as is (never JSON.parse'd first):
// that is the exact path, where ints past 2^53 and 1.0-vs-1 survive.
import init, { buildDeliveries, actions as listActions, locatePath } from "./pkg/ls_webhooks.js";

const SAMPLES = "../samples/events/";
const DOCS = "../docs/events.md";
const DEBOUNCE_MS = 200;

const $ = (sel) => document.querySelector(sel);
const ui = {
  action: $("#action"),
  info: $("#action-info"),
  docLink: $("#doc-link"),
  event: $("#event"),
  reset: $("#reset"),
  format: $("#format"),
  edited: $("#edited"),
  result: $("#result"),
  summary: $("#summary"),
  timing: $("#timing"),
  errorSlot: $("#error-slot"),
  deliveries: $("#deliveries"),
  skippedSlot: $("#skipped-slot"),
  toast: $("#toast"),
};

const state = {
  actions: [],            // the registry, from actions()
  action: null,           // the picked action
  samples: new Map(),     // action -> sample text (as the file has it)
  drafts: new Map(),      // action -> edited text, while the page is open
  revision: 0,            // bumped on every render
  hashSeq: 0,
  ready: false,
};

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

const utf8 = new TextEncoder();
const byteLength = (s) => utf8.encode(s).length;
const fmtBytes = (n) => `${n.toLocaleString("en-US")} byte${n === 1 ? "" : "s"}`;

let toastTimer = 0;
function toast(message) {
  ui.toast.textContent = message;
  ui.toast.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => ui.toast.classList.remove("show"), 1800);
}

async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard permission (or not a secure context): the old way.
    const ta = el("textarea", { class: "offscreen", "aria-hidden": "true" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    if (!ok) return toast(`Could not copy the ${what}`);
  }
  toast(`Copied the ${what} (${fmtBytes(byteLength(text))})`);
}

// ---------------------------------------------------------------- JSON text tools
// Token-level: numbers and strings are kept exactly as written.

/** Re-indents JSON text. Strings are shown decoded (é rather than \u00e9) when `readable`. */
export function prettyJson(text, { readable = true, indent = "  " } = {}) {
  let out = "";
  let depth = 0;
  const n = text.length;
  const nl = () => "\n" + indent.repeat(depth);
  for (let i = 0; i < n;) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const tok = text.slice(i, j + 1);
      if (readable && tok.includes("\\u")) {
        try { out += JSON.stringify(JSON.parse(tok)); } catch { out += tok; }
      } else out += tok;
      i = j + 1;
    } else if (c === "{" || c === "[") {
      let j = i + 1;
      while (j < n && " \t\r\n".includes(text[j])) j++;
      if (text[j] === (c === "{" ? "}" : "]")) {
        out += c + text[j];
        i = j + 1;
      } else {
        depth++;
        out += c + nl();
        i++;
      }
    } else if (c === "}" || c === "]") {
      depth = Math.max(0, depth - 1);
      out += nl() + c;
      i++;
    } else if (c === ",") {
      out += "," + nl();
      i++;
    } else if (c === ":") {
      out += ": ";
      i++;
    } else if (" \t\r\n".includes(c)) {
      i++;
    } else {
      let j = i;
      while (j < n && !',:{}[]" \t\r\n'.includes(text[j])) j++;
      out += text.slice(i, j || i + 1);
      i = Math.max(j, i + 1);
    }
  }
  return out;
}

/** The character index in `text` of UTF-8 byte offset `byte`. */
function charIndexOfByte(text, byte) {
  const bytes = utf8.encode(text);
  return new TextDecoder().decode(bytes.subarray(0, Math.min(byte, bytes.length))).length;
}

function revealInEditor(start, end) {
  const ta = ui.event;
  ta.focus();
  ta.setSelectionRange(start, Math.max(start, end));
  // Scroll the selection into view: count the lines above it.
  const line = ta.value.slice(0, start).split("\n").length - 1;
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, line * lineHeight - ta.clientHeight / 3);
}

// ---------------------------------------------------------------- curl

/** POSIX single quotes: safe for any text; bytes are passed as the shell reads them (UTF-8). */
export function shellQuote(s) {
  return "'" + String(s).replace(/'/g, "'\\''") + "'";
}

/**
 * A header line as requests sends it: latin-1 bytes. Printable ASCII stays in
 * single quotes; anything else uses bash's $'...' with \xHH escapes.
 */
function headerArg(name, value) {
  // curl drops "Name:" with nothing after it; "Name;" sends an empty value.
  const line = value === "" ? `${name};` : `${name}: ${value}`;
  if (/^[\x20-\x7e]*$/.test(line)) return shellQuote(line);
  let out = "$'";
  for (const ch of line) {
    const c = ch.codePointAt(0);
    if (c === 0x27 || c === 0x5c) out += "\\" + ch;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += "\\x" + c.toString(16).padStart(2, "0");
    else return shellQuote(line); // not latin-1: the library never delivers such a header
  }
  return out + "'";
}

export function curlCommand(d) {
  const parts = ["curl", `--request ${d.method || "POST"}`, shellQuote(d.url)];
  for (const [name, value] of Object.entries(d.headers)) parts.push(`--header ${headerArg(name, value)}`);
  parts.push(`--data-binary ${shellQuote(d.body)}`);
  return parts.join(" \\\n  ");
}

// ---------------------------------------------------------------- URL hash state
// #action=TASKS_CREATED                      the sample of that action
// #action=TASKS_CREATED&event=z.<base64url>  an edited event (deflate-raw, UTF-8)
// #action=TASKS_CREATED&event=t.<base64url>  the same, uncompressed

function b64urlEncode(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlDecode(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipeBytes(bytes, stream) {
  const res = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await res.arrayBuffer());
}

async function encodeEvent(text) {
  const bytes = utf8.encode(text);
  if (typeof CompressionStream === "function") {
    return "z." + b64urlEncode(await pipeBytes(bytes, new CompressionStream("deflate-raw")));
  }
  return "t." + b64urlEncode(bytes);
}

async function decodeEvent(s) {
  const kind = s.slice(0, 2);
  const bytes = b64urlDecode(s.slice(2));
  if (kind === "t.") return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  if (kind === "z.") return new TextDecoder("utf-8", { fatal: true }).decode(await pipeBytes(bytes, new DecompressionStream("deflate-raw")));
  throw new Error("unknown event encoding");
}

function readHash() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ""));
  return { action: p.get("action"), event: p.get("event") };
}

async function writeHash() {
  const seq = ++state.hashSeq;
  const text = ui.event.value;
  const params = new URLSearchParams({ action: state.action });
  let tooLong = false;
  if (text !== state.samples.get(state.action)) {
    const encoded = await encodeEvent(text);
    // Browsers cap URLs (Chromium at 2 MB): a huge event stays out of the link.
    if (encoded.length <= 1_500_000) params.set("event", encoded);
    else tooLong = true;
  }
  if (seq !== state.hashSeq) return; // a newer edit won
  ui.edited.title = tooLong ? "This event is too large to keep in the page's link" : "";
  const hash = "#" + params.toString();
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

// ---------------------------------------------------------------- actions and samples

async function loadSample(action) {
  if (state.samples.has(action)) return state.samples.get(action);
  const res = await fetch(`${SAMPLES}${encodeURIComponent(action)}.json`, { cache: "no-cache" });
  if (!res.ok) throw new Error(`the sample ${action}.json could not be loaded (HTTP ${res.status})`);
  const text = await res.text();
  state.samples.set(action, text);
  return text;
}

function showActionInfo(info) {
  ui.info.replaceChildren();
  if (!info) return;
  const tag = (label, title, cls = "") => el("span", { class: `tag ${cls}`, title }, label);
  ui.info.append(
    el("span", { class: "action-name" }, info.name),
    tag(`key: ${info.key}`, `The payload carries the rows under "${info.key}"`),
    info.many
      ? tag("many: a list of rows", "The instance is a list; large lists are split into batches (WEBHOOK_BATCH_SIZE)", "many")
      : tag("one row", "The instance is a single row"),
    info.organizationOnly
      ? tag("organization only", "Sent to organization-wide webhooks only; the event must not name a project", "org")
      : tag("project and organization", "Sent to the project's webhooks and to organization-wide webhooks"),
    el("span", { class: "desc" }, info.description),
  );
  ui.docLink.href = `${DOCS}#${info.action.toLowerCase()}`;
  ui.docLink.textContent = `${info.action} in the reference`;
  ui.docLink.title = `docs/events.md, section ${info.action}`;
}

async function selectAction(action, { text = null } = {}) {
  const info = state.actions.find((a) => a.action === action) || state.actions[0];
  state.action = info.action;
  if (ui.action.value !== info.action) ui.action.value = info.action;
  showActionInfo(info);
  let eventText = text ?? state.drafts.get(info.action);
  if (eventText === undefined) {
    try {
      eventText = await loadSample(info.action);
    } catch (e) {
      renderFailure("SAMPLE_UNAVAILABLE", "", e.message);
      ui.event.value = "";
      return;
    }
  }
  if (state.action !== info.action) return; // another pick came first
  ui.event.value = eventText;
  noteEdited();
  rebuild();
}

function noteEdited() {
  const sample = state.samples.get(state.action);
  const edited = sample !== undefined && ui.event.value !== sample;
  ui.edited.hidden = !edited;
  if (edited) state.drafts.set(state.action, ui.event.value);
  else state.drafts.delete(state.action);
}

// ---------------------------------------------------------------- build and render

let debounceTimer = 0;
function scheduleRebuild() {
  ui.result.setAttribute("aria-busy", "true");
  ui.result.dataset.status = "pending";
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(rebuild, DEBOUNCE_MS);
}

function rebuild() {
  clearTimeout(debounceTimer);
  if (!state.ready) return;
  const text = ui.event.value;
  const t0 = performance.now();
  let plan = null;
  let error = null;
  try {
    plan = buildDeliveries(text);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  try {
    if (plan) renderPlan(plan, text);
    else renderError(error, text);
  } catch (e) {
    renderFailure("RENDER_FAILED", "", String(e && e.message || e));
  }
  ui.timing.textContent = `built in ${ms < 1 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  finish(plan ? "ok" : "error");
  writeHash().catch(() => {});
}

function finish(status) {
  state.revision++;
  ui.result.dataset.revision = String(state.revision);
  ui.result.dataset.status = status;
  ui.result.setAttribute("aria-busy", "false");
}

function clearResult() {
  ui.summary.replaceChildren();
  ui.errorSlot.replaceChildren();
  ui.deliveries.replaceChildren();
  ui.skippedSlot.replaceChildren();
}

/**
 * The event's webhooks, for display only: ids and urls next to the targets. (The plan
 * itself is built from the text; this parse may round ids past 2^53.)
 */
function webhooksOf(text) {
  try {
    const ev = JSON.parse(text);
    return Array.isArray(ev.webhooks) ? ev.webhooks.filter((w) => w && typeof w === "object") : [];
  } catch {
    return [];
  }
}

function renderPlan(plan, text) {
  clearResult();
  const hooks = webhooksOf(text);
  const notTargeted = plan.unmatched; // the core says why each webhook is not a target
  const bodies = new Map(); // body string -> first delivery number, to note shared bodies
  const batches = plan.deliveries.reduce((m, d) => Math.max(m, d.batch + 1), 0);

  const targetList = plan.targets.length
    ? el("span", { class: "ids" }, plan.targets.map((id) => {
        const skipped = plan.skipped.some((x) => x.webhookId === id);
        return el("code", { class: skipped ? "skipped-id" : null, title: urlOf(hooks, id) }, skipped ? `#${id} skipped` : `#${id}`);
      }))
    : el("span", { class: "muted" }, "none");
  ui.summary.append(
    el("p", {},
      el("strong", {}, plan.action), " · ",
      `${plan.deliveries.length} ${plan.deliveries.length === 1 ? "delivery" : "deliveries"}`,
      plan.skipped.length ? ` · ${plan.skipped.length} skipped` : "",
    ),
    el("p", { "data-testid": "targets" }, "Targets: ", targetList,
      notTargeted.length
        ? el("span", { class: "muted" }, " · not matched: ",
            notTargeted.map((u, i) => `${i ? ", " : ""}#${u.webhookId} (${u.message})`))
        : ""),
  );
  if (plan.action !== state.action) {
    ui.summary.append(el("p", { class: "note" }, `The event's action is ${plan.action}; the picker shows the sample of ${state.action}.`));
  }

  plan.deliveries.forEach((d, i) => {
    const n = i + 1;
    const first = bodies.get(d.body);
    if (first === undefined) bodies.set(d.body, n);
    ui.deliveries.append(renderDelivery(d, n, plan.deliveries.length, first, batches));
  });
  if (!plan.deliveries.length) {
    ui.deliveries.append(el("li", { class: "empty muted" }, "No delivery: no active webhook matches this event."));
  }
  if (plan.skipped.length) {
    ui.skippedSlot.append(
      el("section", { class: "skipped", "aria-labelledby": "skipped-title" },
        el("h3", { id: "skipped-title" }, "Skipped targets"),
        el("ul", {}, plan.skipped.map((s) =>
          el("li", { "data-testid": "skipped", dataset: { webhookId: String(s.webhookId), reason: s.reason } },
            el("strong", {}, `Webhook #${s.webhookId}`), " ",
            el("code", { class: "reason" }, s.reason), " ",
            el("span", {}, s.message),
            urlOf(hooks, s.webhookId) ? el("div", { class: "muted url" }, urlOf(hooks, s.webhookId)) : "",
          ))),
      ),
    );
  }
}

function urlOf(hooks, id) {
  const w = hooks.find((h) => String(h.id) === String(id));
  return w && typeof w.url === "string" ? w.url : undefined;
}

function renderDelivery(d, n, total, sharedWith, batches) {
  const size = byteLength(d.body);
  const bodyId = `body-${n}`;
  const raw = el("pre", { class: "body raw", id: `${bodyId}-raw`, "data-testid": "delivery-body", tabindex: "0",
    "aria-label": `Body of delivery ${n}, exact bytes` });
  raw.textContent = d.body;
  const pretty = el("pre", { class: "body pretty", id: `${bodyId}-pretty`, tabindex: "0", hidden: true,
    "aria-label": `Body of delivery ${n}, indented` });

  const rawBtn = el("button", { type: "button", class: "seg", "aria-pressed": "true", "aria-controls": raw.id }, "Raw");
  const prettyBtn = el("button", { type: "button", class: "seg", "aria-pressed": "false", "aria-controls": pretty.id }, "Pretty");
  const show = (which) => {
    const isPretty = which === "pretty";
    if (isPretty && !pretty.textContent) pretty.textContent = prettyJson(d.body);
    pretty.hidden = !isPretty;
    raw.hidden = isPretty;
    rawBtn.setAttribute("aria-pressed", String(!isPretty));
    prettyBtn.setAttribute("aria-pressed", String(isPretty));
  };
  rawBtn.addEventListener("click", () => show("raw"));
  prettyBtn.addEventListener("click", () => show("pretty"));

  const headers = el("table", { class: "headers", "data-testid": "delivery-headers" },
    el("caption", { class: "sr-only" }, `Headers of delivery ${n}`),
    el("tbody", {}, Object.entries(d.headers).map(([k, v]) =>
      el("tr", { dataset: { header: k } }, el("th", { scope: "row" }, k), el("td", {}, v)))));

  return el("li", { class: "delivery", "data-testid": "delivery", dataset: { webhookId: String(d.webhookId), batch: String(d.batch) } },
    el("div", { class: "d-head" },
      el("span", { class: "d-num" }, `${n}/${total}`),
      el("span", { class: "method" }, d.method),
      el("code", { class: "url", "data-testid": "delivery-url" }, d.url),
    ),
    el("div", { class: "d-meta muted" },
      `webhook #${d.webhookId} · batch ${d.batch + 1} of ${batches} · `,
      el("span", { "data-testid": "delivery-size" }, fmtBytes(size)),
      sharedWith ? ` · same body as ${sharedWith}` : "",
    ),
    headers,
    el("div", { class: "d-tools" },
      el("div", { class: "segmented", role: "group", "aria-label": `Body view of delivery ${n}` }, rawBtn, prettyBtn),
      el("span", { class: "spacer" }),
      el("button", { type: "button", class: "copy-body", onclick: () => copyText(d.body, "body") }, "Copy body"),
      el("button", { type: "button", class: "copy-curl", title: "A curl command sending exactly these headers and bytes (bash)",
        onclick: () => copyText(curlCommand(d), "curl command") }, "Copy curl"),
    ),
    raw,
    pretty,
  );
}

function renderError(e, text) {
  clearResult();
  const code = (e && e.code) || "ERROR";
  const path = (e && typeof e.path === "string") ? e.path : "";
  const detail = (e && (e.detail || e.message)) || String(e);
  // Where to point in the editor: the byte offset of a syntax error, else the field path.
  let spot = null;
  if (e && typeof e.offset === "number") {
    const at = charIndexOfByte(text, e.offset);
    spot = { start: at, end: at + 1, exact: true };
  } else if (path) {
    // The core finds the field (or its deepest existing parent) in the text, in bytes.
    const span = locatePath(text, path);
    if (span) spot = { start: charIndexOfByte(text, span.start), end: charIndexOfByte(text, span.end), exact: span.exact };
  }
  renderFailure(code, path, detail, spot);
  ui.summary.append(el("p", { class: "muted" }, "Nothing would be sent: Label Studio would fail on this event before any POST."));
}

function renderFailure(code, path, detail, spot = null) {
  ui.errorSlot.replaceChildren(
    el("div", { class: "error-box", role: "alert", "data-testid": "error", dataset: { code, path } },
      el("div", { class: "err-head" },
        el("code", { class: "err-code", "data-testid": "error-code" }, code),
        path ? [" at ", el("code", { class: "err-path", "data-testid": "error-path" }, path)] : "",
      ),
      el("p", { class: "err-detail" }, detail),
      spot ? el("button", { type: "button", onclick: () => revealInEditor(spot.start, spot.end) },
        spot.exact ? "Show in editor" : "Show the nearest field in editor") : "",
    ),
  );
}

// ---------------------------------------------------------------- wiring

async function applyHash() {
  const h = readHash();
  const action = state.actions.some((a) => a.action === h.action) ? h.action : state.action || "TASKS_CREATED";
  let text = null;
  if (h.event) {
    try {
      text = await decodeEvent(h.event);
    } catch {
      toast("The link's event could not be read; showing the sample");
    }
  }
  if (text !== null) {
    // Loading the sample first lets the page tell a draft from the sample.
    await loadSample(action).catch(() => {});
  }
  await selectAction(action, { text });
}

async function main() {
  try {
    await init({ module_or_path: new URL("./pkg/ls_webhooks_bg.wasm", import.meta.url) });
    state.actions = listActions();
  } catch (e) {
    finish("error");
    return renderFailure("LOAD_FAILED", "", `The WebAssembly build could not be loaded (${e && e.message || e}). ` +
      "Build it with: wasm-pack build --target web --out-dir www/pkg");
  }
  ui.action.replaceChildren(...state.actions.map((a) =>
    el("option", { value: a.action }, `${a.action} · ${a.name}`)));
  ui.action.disabled = false;
  state.ready = true;

  ui.action.addEventListener("change", () => selectAction(ui.action.value));
  ui.event.addEventListener("input", () => {
    noteEdited();
    scheduleRebuild();
  });
  ui.reset.addEventListener("click", async () => {
    state.drafts.delete(state.action);
    try {
      ui.event.value = await loadSample(state.action);
    } catch (e) {
      return renderFailure("SAMPLE_UNAVAILABLE", "", e.message);
    }
    noteEdited();
    rebuild();
    toast(`Reset to the ${state.action} sample`);
  });
  ui.format.addEventListener("click", () => {
    const text = ui.event.value;
    const pretty = prettyJson(text, { readable: false });
    // Only if the result reads the same: never change what the event says.
    let same = false;
    try { same = JSON.stringify(JSON.parse(pretty)) === JSON.stringify(JSON.parse(text)); } catch { same = false; }
    if (!same) return toast("Fix the JSON first");
    ui.event.value = pretty + "\n";
    noteEdited();
    rebuild();
  });
  window.addEventListener("hashchange", () => applyHash());
  // Ctrl/Cmd+Enter in the editor rebuilds at once.
  ui.event.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      rebuild();
    }
  });
  await applyHash();
}

main().catch((e) => {
  finish("error");
  renderFailure("PAGE_ERROR", "", String(e && e.message || e));
});
