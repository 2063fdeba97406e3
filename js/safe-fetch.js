// ls-webhooks/safe-fetch: sends a delivery as Label Studio 1.23.2's `ssrf_safe_post` does.
//
// With SSRF protection on, every connection (the first request and each redirect hop)
// resolves its host once, is refused if ANY address it resolves to is in a banned network
// (the library's `reservedBlock`, the one place that list lives), and connects to the
// address it checked: there is no second lookup, so DNS rebinding has nothing to race.
// The connection is made by undici's own connector (TLS keeps the host name for SNI and
// the certificate check), under undici's `fetch`, which follows redirects as `requests`
// does for a POST. Needs the `undici` package (an optional dependency of ls-webhooks).
"use strict";
const dns = require("dns");
const net = require("net");

const INSTALL_HINT = "ls-webhooks/safe-fetch needs the undici package (an optional dependency of ls-webhooks " +
  "that is not installed here): npm install undici";

const loadLib = () => require("./wasm-lib.js").loadLib("ls-webhooks/safe-fetch");

let undici;
/** undici, or an Error that says how to get it. */
function loadUndici() {
  if (undici) return undici;
  try {
    undici = require("undici");
  } catch (e) {
    throw new Error(INSTALL_HINT, { cause: e });
  }
  if (typeof undici.fetch !== "function" || typeof undici.buildConnector !== "function") {
    undici = undefined;
    throw new Error(`${INSTALL_HINT} (the undici found has no fetch or buildConnector)`);
  }
  return undici;
}

/** A connection refused by the guard: `code` SSRF_BLOCKED, with the host, the address and its block. */
class SsrfBlockedError extends Error {
  constructor(host, address, block, why) {
    const subject = host === address ? `${address} is` : `"${host}" resolves to ${address},`;
    super(why ? `${subject} ${why}` : `${subject} a reserved network address (block: ${block})`);
    this.name = "SsrfBlockedError";
    this.code = "SSRF_BLOCKED";
    this.host = host;
    this.address = address;
    this.block = block;
  }
}

/** The addresses a lookup callback gave, as [{address, family}] (with or without `all`). */
function addressList(result, family) {
  if (Array.isArray(result)) return result.map((r) => (typeof r === "string" ? { address: r, family: net.isIP(r) } : r));
  if (typeof result === "string") return [{ address: result, family }];
  return [];
}

/**
 * The first address refused, as an SsrfBlockedError, or null when every one is public.
 * Text that is not an IP address (a broken lookup) is refused too: the guard fails closed.
 */
function refusal(host, addresses) {
  const { reservedBlock } = loadLib();
  for (const { address } of addresses) {
    let block;
    try {
      block = reservedBlock(String(address));
    } catch {
      return new SsrfBlockedError(host, String(address), null, "which is not an IP address: refused");
    }
    if (block) return new SsrfBlockedError(host, address, block);
  }
  return null;
}

/**
 * `lookup` (always called with `{ all: true }`, as documented) in the form net.connect calls
 * it: with `all` only when family autoselection is on (Node 20's default, not Node 18's), and
 * then expecting the list; otherwise expecting one (address, family).
 */
function asNetLookup(lookup) {
  return (hostname, opts, callback) => {
    lookup(hostname, { ...opts, all: true }, (err, list) => {
      if (err) return callback(err);
      if (opts && opts.all) return callback(null, list);
      const first = Array.isArray(list) ? list[0] : null;
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: "ENOTFOUND" }));
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici Agent whose every connection goes through the SSRF guard (see the file's
 * head). `lookup` has dns.lookup's signature and is called with `{ all: true }`.
 * `connect` is passed to undici's buildConnector (e.g. `ca`, `timeout` in ms).
 * With `ssrfProtection: false`, a plain Agent (still using `lookup` if one is given).
 */
function createGuardedDispatcher({ lookup = dns.lookup, ssrfProtection = true, connect = {} } = {}) {
  const { Agent, buildConnector } = loadUndici();
  if (typeof lookup !== "function") throw new TypeError("createGuardedDispatcher: lookup must be a function");
  if (!ssrfProtection) {
    return new Agent({ connect: lookup === dns.lookup ? { ...connect } : { ...connect, lookup: asNetLookup(lookup) } });
  }
  loadLib(); // fail now, not on the first connection
  const direct = buildConnector({ ...connect });

  function guardedConnect(opts, callback) {
    let pending = callback;
    const done = (err, socket) => {
      if (!pending) return;
      const cb = pending;
      pending = null;
      cb(err, socket);
    };
    // undici strips the brackets of an IPv6 literal; accept them anyway.
    const host = String(opts.hostname).replace(/^\[(.*)\]$/, "$1");
    const connectTo = (address) => {
      // Connect to the checked address itself (no second lookup), with the host name as
      // TLS servername (SNI and the certificate check); an IP-literal host has none.
      const servername = opts.servername || (net.isIP(host) ? undefined : host);
      try {
        direct({ ...opts, hostname: address, servername }, done);
      } catch (e) {
        done(e);
      }
    };
    if (net.isIP(host)) {
      const refused = refusal(host, [{ address: host, family: net.isIP(host) }]);
      return refused ? done(refused) : connectTo(host);
    }
    try {
      lookup(host, { all: true }, (err, result, family) => {
        if (err) return done(err);
        try {
          const addresses = addressList(result, family);
          if (addresses.length === 0) {
            const e = new Error(`getaddrinfo ENOTFOUND ${host}`);
            return done(Object.assign(e, { code: "ENOTFOUND", syscall: "getaddrinfo", hostname: host }));
          }
          const refused = refusal(host, addresses);
          return refused ? done(refused) : connectTo(String(addresses[0].address));
        } catch (e) {
          return done(e);
        }
      });
    } catch (e) {
      done(e);
    }
  }

  return new Agent({ connect: guardedConnect });
}

// One dispatcher per options set, shared by every call (keep-alive connections were
// checked when they were made): ssrfProtection → lookup → Agent.
const shared = new Map();
function sharedDispatcher(ssrfProtection, lookup = dns.lookup) {
  let byLookup = shared.get(ssrfProtection);
  if (!byLookup) shared.set(ssrfProtection, (byLookup = new WeakMap()));
  let dispatcher = byLookup.get(lookup);
  if (!dispatcher) byLookup.set(lookup, (dispatcher = createGuardedDispatcher({ lookup, ssrfProtection })));
  return dispatcher;
}

/** The guard's refusal inside a fetch error (fetch wraps it: TypeError "fetch failed", cause). */
function guardError(e) {
  for (let c = e, depth = 0; c && depth < 5; c = c.cause, depth++) {
    if (c.code === "SSRF_BLOCKED") return c;
  }
  return null;
}

/**
 * POSTs one delivery ({url, method, headers, body}) with undici's fetch, through the
 * guarded dispatcher when `ssrfProtection` is on, and reads the answer. Never throws for
 * network or guard errors: returns {ok, status, statusText, ms, error}; a refused target
 * gives ok false and an error with code SSRF_BLOCKED. Rejects only when undici is missing.
 */
async function safeFetch(delivery, { timeoutMs = 1000, ssrfProtection = true, lookup, dispatcher, redirect = "follow" } = {}) {
  const { fetch } = loadUndici();
  const via = dispatcher || sharedDispatcher(Boolean(ssrfProtection), lookup);
  const started = Date.now();
  let res = null;
  try {
    res = await fetch(delivery.url, {
      method: delivery.method || "POST", headers: delivery.headers, body: delivery.body,
      redirect, dispatcher: via, signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer(); // read the answer, as requests does
    return { ok: res.ok, status: res.status, statusText: res.statusText, ms: Date.now() - started, error: null };
  } catch (e) {
    return {
      ok: false, status: res ? res.status : null, statusText: res ? res.statusText : null,
      ms: Date.now() - started, error: guardError(e) || e,
    };
  }
}

module.exports = { safeFetch, createGuardedDispatcher, SsrfBlockedError };
