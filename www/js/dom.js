// DOM helpers: building elements, the toast, copying to the clipboard.
import { byteLength, fmtBytes } from "./format.js";

/**
 * A new element: `attrs` sets `class`, `text`, `on<event>` listeners, `dataset`
 * and plain attributes (skipped when undefined, null or false; `true` is "").
 */
export function el(tag, attrs = {}, ...children) {
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

let toastTimer = 0;

/** Shows `message` in the page's #toast for a moment. */
export function toast(message) {
  const node = document.getElementById("toast");
  node.textContent = message;
  node.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("show"), 1800);
}

/** Copies `text` to the clipboard and says so; `what` names it in the toast. */
export async function copyText(text, what) {
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
