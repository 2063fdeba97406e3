// ls-webhooks/safe-fetch: sends a delivery as Label Studio 1.23.2's ssrf_safe_post does.
// Needs the `undici` package (an optional dependency of ls-webhooks).

/** What safeFetch sends: a plan's Delivery, or any {url, method, headers, body}. */
export interface SafeFetchDelivery {
  url: string;
  /** Default "POST". */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
}

/** One address of a lookup answer, as dns.lookup gives it with `{ all: true }`. */
export interface LookupAddress {
  address: string;
  family: number;
}

/**
 * A host name lookup with dns.lookup's signature; the guard calls it once per connection,
 * with `{ all: true }`, and checks every address it answers.
 */
export type Lookup = (
  hostname: string,
  options: { all: true },
  callback: (err: Error | null, addresses: LookupAddress[] | string, family?: number) => void,
) => void;

/** An undici Agent (structurally: pass it back to safeFetch as `dispatcher`, or close it). */
export interface Dispatcher {
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export interface GuardedDispatcherOptions {
  /** Default dns.lookup (getaddrinfo, as Label Studio). */
  lookup?: Lookup;
  /** Default true. false: a plain undici Agent (no check). */
  ssrfProtection?: boolean;
  /** Options for undici's buildConnector: TLS (`ca`, `rejectUnauthorized`, ...), `timeout` (connect, ms). */
  connect?: Record<string, unknown>;
}

/**
 * An undici Agent whose every connection (redirect hops too) resolves its host once,
 * is refused (SSRF_BLOCKED) when any address is reserved, and connects to the checked
 * address, with the host name kept for TLS (SNI and the certificate check).
 * @throws {Error} when undici is not installed.
 */
export function createGuardedDispatcher(options?: GuardedDispatcherOptions): Dispatcher;

export interface SafeFetchOptions {
  /** The whole request, answer read included. Default 1000 (Label Studio's WEBHOOK_TIMEOUT). */
  timeoutMs?: number;
  /** Default true: send through the guard (give it the plan's `ssrfProtection`). */
  ssrfProtection?: boolean;
  /** Used to build the shared dispatcher of this options set. */
  lookup?: Lookup;
  /** Your own dispatcher instead of the shared one (e.g. from createGuardedDispatcher). */
  dispatcher?: Dispatcher;
  /** fetch's redirect mode. Default "follow", as requests. */
  redirect?: "follow" | "manual" | "error";
}

/** A connection refused by the guard. */
export interface SsrfBlockedError extends Error {
  code: "SSRF_BLOCKED";
  /** The host of the URL that was refused (a redirect hop's, for a hop). */
  host: string;
  /** The address found reserved. */
  address: string;
  /** Its banned network, e.g. "127.0.0.0/8" (null when the lookup gave something not an address). */
  block: string | null;
}
export const SsrfBlockedError: new (host: string, address: string, block: string | null, why?: string) => SsrfBlockedError;

export interface SafeFetchResult {
  /** A 2xx answer, read to its end. */
  ok: boolean;
  /** The (last) answer's status, or null when none came. */
  status: number | null;
  statusText: string | null;
  /** Milliseconds, sending to the end of the answer or the failure. */
  ms: number;
  /** null, or why it failed: an SsrfBlockedError, a TimeoutError, or fetch's TypeError (`cause`: the network error). */
  error: Error | SsrfBlockedError | null;
}

/**
 * POSTs a delivery with undici's fetch (through the guard when `ssrfProtection`), follows
 * redirects and reads the answer. Never rejects for network or guard errors.
 * @throws {Error} (rejects) when undici is not installed.
 */
export function safeFetch(delivery: SafeFetchDelivery, options?: SafeFetchOptions): Promise<SafeFetchResult>;
