// The event editor (a textarea holding the event's exact text): where an error
// points in it, and revealing that spot. The library reports places in UTF-8
// bytes; the textarea counts UTF-16 code units.
import { locatePath } from "../pkg/ls_webhooks.js";
import { prettyJson } from "./pretty-json.js";

const utf8 = new TextEncoder();

/** The character index in `text` of UTF-8 byte offset `byte`. */
export function charIndexOfByte(text, byte) {
  const bytes = utf8.encode(text);
  return new TextDecoder().decode(bytes.subarray(0, Math.min(byte, bytes.length))).length;
}

/**
 * Where error `e` (thrown by buildDeliveries for `text`) points in the text, as
 * character indexes { start, end, exact }, or null: the byte offset of a syntax
 * error, else the field at the error's path (or its deepest existing parent).
 */
export function errorSpot(e, text) {
  if (e && typeof e.offset === "number") {
    const at = charIndexOfByte(text, e.offset);
    return { start: at, end: at + 1, exact: true };
  }
  const path = (e && typeof e.path === "string") ? e.path : "";
  if (path) {
    // The core finds the field in the text, in bytes.
    const span = locatePath(text, path);
    if (span) return { start: charIndexOfByte(text, span.start), end: charIndexOfByte(text, span.end), exact: span.exact };
  }
  return null;
}

/** Focuses the textarea, selects characters start..end and scrolls them into view. */
export function revealInEditor(ta, start, end) {
  ta.focus();
  ta.setSelectionRange(start, Math.max(start, end));
  // Scroll the selection into view: count the lines above it.
  const line = ta.value.slice(0, start).split("\n").length - 1;
  const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, line * lineHeight - ta.clientHeight / 3);
}

/**
 * The event re-indented (numbers and strings as written), or null when that
 * would not read the same (text that is not JSON): never change what the event says.
 */
export function formatEventText(text) {
  const pretty = prettyJson(text, { readable: false });
  let same = false;
  try { same = JSON.stringify(JSON.parse(pretty)) === JSON.stringify(JSON.parse(text)); } catch { same = false; }
  return same ? pretty + "\n" : null;
}
