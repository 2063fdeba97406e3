// The result pane: what buildDeliveries returned (the plan: targets, deliveries,
// skipped and unmatched webhooks) or threw (an error with code, path and detail).
// `view` holds the pane's slots: { summary, errorSlot, deliveries, skippedSlot },
// and `editor`, the event's textarea (for "Show in editor").
import { el, copyText } from "./dom.js";
import { byteLength, fmtBytes, curlCommand } from "./format.js";
import { prettyJson } from "./pretty-json.js";
import { errorSpot, revealInEditor } from "./editor.js";
import { SIGNING_HEADERS } from "./signing.js";

export function clearResult(view) {
  view.summary.replaceChildren();
  view.errorSlot.replaceChildren();
  view.deliveries.replaceChildren();
  view.skippedSlot.replaceChildren();
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

function urlOf(hooks, id) {
  const w = hooks.find((h) => String(h.id) === String(id));
  return w && typeof w.url === "string" ? w.url : undefined;
}

/**
 * Shows `plan`, built from `text`; `picked` is the action in the picker. `signed`: the plan
 * was signed with the secret field's value.
 */
export function renderPlan(view, plan, text, picked, { signed = false } = {}) {
  clearResult(view);
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
  view.summary.append(
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
  if (plan.action !== picked) {
    view.summary.append(el("p", { class: "note" }, `The event's action is ${plan.action}; the picker shows the sample of ${picked}.`));
  }
  if (signed) {
    view.summary.append(el("p", { class: "signed-note", "data-testid": "signing-note" },
      "Signed (Standard Webhooks) with the secret in the field: ",
      SIGNING_HEADERS.flatMap((h, i) => [i ? ", " : "", el("code", {}, h)]),
      " follow Label Studio's headers. Receivers accept the timestamp (this preview's time) for 5 minutes: " +
      "press Enter in the field to sign again."));
  }

  plan.deliveries.forEach((d, i) => {
    const n = i + 1;
    const first = bodies.get(d.body);
    if (first === undefined) bodies.set(d.body, n);
    view.deliveries.append(renderDelivery(d, n, plan.deliveries.length, first, batches));
  });
  if (!plan.deliveries.length) {
    view.deliveries.append(el("li", { class: "empty muted" }, "No delivery: no active webhook matches this event."));
  }
  for (const w of plan.warnings || []) {
    view.summary.append(el("p", { class: "note", "data-testid": "warning", dataset: { code: w.code } }, `${w.code}: ${w.message}`));
  }
  if (plan.skipped.length) {
    view.skippedSlot.append(
      el("section", { class: "skipped", "aria-labelledby": "skipped-title" },
        el("h3", { id: "skipped-title" }, "Skipped targets"),
        el("ul", {}, plan.skipped.map((s) =>
          el("li", { "data-testid": "skipped", dataset: { webhookId: String(s.webhookId), reason: s.reason } },
            el("strong", {}, s.webhookId === null ? `Webhook ${s.path}` : `Webhook #${s.webhookId}`), " ",
            el("code", { class: "reason" }, s.reason), " ",
            el("span", {}, s.message),
            urlOf(hooks, s.webhookId) ? el("div", { class: "muted url" }, urlOf(hooks, s.webhookId)) : "",
          ))),
      ),
    );
  }
}

/** Delivery `d`, number `n` of `total`: url, headers, body (raw or indented), copy buttons. */
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
      el("tr", { class: SIGNING_HEADERS.includes(k) ? "signing-header" : null, dataset: { header: k } },
        el("th", { scope: "row" }, k), el("td", {}, v)))));

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

/** Shows error `e`, thrown by buildDeliveries for `text`, with a way to its spot in the editor. */
export function renderError(view, e, text) {
  clearResult(view);
  const code = (e && e.code) || "ERROR";
  const path = (e && typeof e.path === "string") ? e.path : "";
  const detail = (e && (e.detail || e.message)) || String(e);
  renderFailure(view, code, path, detail, errorSpot(e, text));
  view.summary.append(el("p", { class: "muted" }, "Nothing would be sent: Label Studio would fail on this event before any POST."));
}

/** The error box: code, field path, detail, and "Show in editor" when `spot` is known. */
export function renderFailure(view, code, path, detail, spot = null) {
  view.errorSlot.replaceChildren(
    el("div", { class: "error-box", role: "alert", "data-testid": "error", dataset: { code, path } },
      el("div", { class: "err-head" },
        el("code", { class: "err-code", "data-testid": "error-code" }, code),
        path ? [" at ", el("code", { class: "err-path", "data-testid": "error-path" }, path)] : "",
      ),
      el("p", { class: "err-detail" }, detail),
      spot ? el("button", { type: "button", onclick: () => revealInEditor(view.editor, spot.start, spot.end) },
        spot.exact ? "Show in editor" : "Show the nearest field in editor") : "",
    ),
  );
}
