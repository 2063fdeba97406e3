// Why a send failed, in a few words: the wording the CLI, the deliverer and trigger share.
// Not an entry point of its own.
"use strict";

/** Why a send failed, in a few words. */
function describeSendError(e, timeoutMs) {
  if (e && (e.name === "TimeoutError" || e.name === "AbortError")) return `timeout: no response within ${timeoutMs / 1000} s`;
  if (e && e.code === "SSRF_BLOCKED") return `blocked: ${e.message} (SSRF_BLOCKED)`; // the send-time guard
  const cause = e && e.cause;
  if (cause && cause.message === "bad port") return "fetch refuses this port (bad port)";
  const code = cause && (cause.code || (cause.errors && cause.errors[0] && cause.errors[0].code));
  const words = {
    ECONNREFUSED: "connection refused", ECONNRESET: "connection reset", ENOTFOUND: "host not found",
    EAI_AGAIN: "host lookup failed", EHOSTUNREACH: "host unreachable", ETIMEDOUT: "connect timed out",
    UND_ERR_SOCKET: "connection closed", UND_ERR_HEADERS_TIMEOUT: "no response headers",
  };
  if (code) return `${words[code] || "error"} (${code})`;
  return (cause && cause.message) || (e && e.message) || String(e);
}

module.exports = { describeSendError };
