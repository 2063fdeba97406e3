// The payload preview: an event in, every delivery Label Studio 1.23.2 would
// send out, computed in the page by the library's web build (www/pkg/).
//
// The editor's TEXT goes to buildDeliveries as is (never JSON.parse'd first):
// that is the exact path, where ints past 2^53 and 1.0-vs-1 survive.
//
// This module wires the page: the action picker and its samples, the editor's
// buttons, the debounced rebuild and the URL hash. The jobs live in js/:
//   dom.js          el(), the toast, copying to the clipboard
//   format.js       byte sizes, the curl command and its shell quoting
//   pretty-json.js  display-only re-indentation (tokens kept as written)
//   editor.js       where an error points in the event text, revealing it
//   hash.js         the state in the URL hash (compressed event)
//   render.js       the plan, deliveries, skipped and unmatched webhooks, errors
//   signing.js      the signing secret field's options.signing, added for the build only
import init, { buildDeliveries, actions as listActions } from "./pkg/ls_webhooks.js";
import { el, toast } from "./js/dom.js";
import { formatEventText } from "./js/editor.js";
import { decodeEvent, hashFor, readHash } from "./js/hash.js";
import { clearResult, renderError, renderFailure, renderPlan } from "./js/render.js";
import { isSigningError } from "./js/signing.js";

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
  timing: $("#timing"),
  secret: $("#signing-secret"),
  secretError: $("#signing-error"),
};
/** The result pane's slots, for render.js. */
const view = {
  summary: $("#summary"),
  errorSlot: $("#error-slot"),
  deliveries: $("#deliveries"),
  skippedSlot: $("#skipped-slot"),
  editor: ui.event,
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
      renderFailure(view, "SAMPLE_UNAVAILABLE", "", e.message);
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

// ---------------------------------------------------------------- build

let debounceTimer = 0;
function scheduleRebuild() {
  ui.result.setAttribute("aria-busy", "true");
  ui.result.dataset.status = "pending";
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(rebuild, DEBOUNCE_MS);
}

/**
 * The plan of the editor's text, signed with the secret field's value when there is one:
 * { plan, signed }, or { error } (the text's own error), or { signingError } (the secret's).
 * The secret goes to buildDeliveries beside the text (its options argument), never into the
 * text, so the editor's text is what is built and every error's offset points into it.
 */
function build(text) {
  const secret = ui.secret.value;
  try {
    return { plan: buildDeliveries(text, secret ? { signing: { secret } } : null), signed: Boolean(secret) };
  } catch (e) {
    return isSigningError(e) ? { signingError: e } : { error: e };
  }
}

function showSecretError(message) {
  ui.secretError.textContent = message || "";
  ui.secretError.hidden = !message;
  if (message) ui.secret.setAttribute("aria-invalid", "true");
  else ui.secret.removeAttribute("aria-invalid");
}

function rebuild() {
  clearTimeout(debounceTimer);
  if (!state.ready) return;
  const text = ui.event.value;
  const t0 = performance.now();
  const { plan, signed, error, signingError } = build(text);
  const ms = performance.now() - t0;
  try {
    // The library's messages about options.signing never repeat the secret.
    showSecretError(signingError ? (signingError.detail || signingError.message).replace(/^options\.signing\.secret /, "The secret ") : "");
    if (plan) renderPlan(view, plan, text, state.action, { signed });
    else if (signingError) {
      clearResult(view);
      renderFailure(view, signingError.code || "ERROR", signingError.path, signingError.detail || signingError.message);
      view.summary.replaceChildren(el("p", { class: "muted" }, "Fix or clear the signing secret to see the deliveries."));
    } else renderError(view, error, text);
  } catch (e) {
    renderFailure(view, "RENDER_FAILED", "", String(e && e.message || e));
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

// ---------------------------------------------------------------- URL hash

async function writeHash() {
  const seq = ++state.hashSeq;
  const { hash, tooLong } = await hashFor(state.action, ui.event.value, state.samples.get(state.action));
  if (seq !== state.hashSeq) return; // a newer edit won
  ui.edited.title = tooLong ? "This event is too large to keep in the page's link" : "";
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

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

// ---------------------------------------------------------------- wiring

async function main() {
  try {
    await init({ module_or_path: new URL("./pkg/ls_webhooks_bg.wasm", import.meta.url) });
    state.actions = listActions();
  } catch (e) {
    finish("error");
    return renderFailure(view, "LOAD_FAILED", "", `The WebAssembly build could not be loaded (${e && e.message || e}). ` +
      "Build it with: bash scripts/build-web.sh");
  }
  ui.action.replaceChildren(...state.actions.map((a) =>
    el("option", { value: a.action }, `${a.action} · ${a.name}`)));
  ui.action.disabled = false;
  state.ready = true;

  ui.action.addEventListener("change", () => selectAction(ui.action.value));
  // The secret only changes the build: the hash (the event and the action) stays as it is.
  ui.secret.addEventListener("input", scheduleRebuild);
  ui.secret.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      rebuild();
    }
  });
  ui.event.addEventListener("input", () => {
    noteEdited();
    scheduleRebuild();
  });
  ui.reset.addEventListener("click", async () => {
    state.drafts.delete(state.action);
    try {
      ui.event.value = await loadSample(state.action);
    } catch (e) {
      return renderFailure(view, "SAMPLE_UNAVAILABLE", "", e.message);
    }
    noteEdited();
    rebuild();
    toast(`Reset to the ${state.action} sample`);
  });
  ui.format.addEventListener("click", () => {
    const formatted = formatEventText(ui.event.value);
    if (formatted === null) return toast("Fix the JSON first");
    ui.event.value = formatted;
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
  renderFailure(view, "PAGE_ERROR", "", String(e && e.message || e));
});
