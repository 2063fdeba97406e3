// The page's state in the URL hash, so a link reproduces a preview:
//   #action=TASKS_CREATED                      the sample of that action
//   #action=TASKS_CREATED&event=z.<base64url>  an edited event (deflate-raw, UTF-8)
//   #action=TASKS_CREATED&event=t.<base64url>  the same, uncompressed

const utf8 = new TextEncoder();

/** Browsers cap URLs (Chromium at 2 MB): a longer encoded event stays out of the link. */
const MAX_EVENT_IN_LINK = 1_500_000;

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

/** The event text as the hash's `event` value: "z." + deflate-raw, or "t." + plain, base64url. */
export async function encodeEvent(text) {
  const bytes = utf8.encode(text);
  if (typeof CompressionStream === "function") {
    return "z." + b64urlEncode(await pipeBytes(bytes, new CompressionStream("deflate-raw")));
  }
  return "t." + b64urlEncode(bytes);
}

/** The event text back from the hash's `event` value; throws when it cannot be read. */
export async function decodeEvent(s) {
  const kind = s.slice(0, 2);
  const bytes = b64urlDecode(s.slice(2));
  if (kind === "t.") return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  if (kind === "z.") return new TextDecoder("utf-8", { fatal: true }).decode(await pipeBytes(bytes, new DecompressionStream("deflate-raw")));
  throw new Error("unknown event encoding");
}

/** The action and the encoded event (null when absent) named by `hash`. */
export function readHash(hash = location.hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  return { action: p.get("action"), event: p.get("event") };
}

/**
 * The hash for `action` with event `text`: the action alone when the text is the
 * action's sample; `tooLong` when the event is too large to keep in the link.
 */
export async function hashFor(action, text, sample) {
  const params = new URLSearchParams({ action });
  let tooLong = false;
  if (text !== sample) {
    const encoded = await encodeEvent(text);
    if (encoded.length <= MAX_EVENT_IN_LINK) params.set("event", encoded);
    else tooLong = true;
  }
  return { hash: "#" + params.toString(), tooLong };
}
