// setHostHmac and hmacBackend: declared only where the module has them (the `host-hmac` feature, the Node
// package; src/wasm/mod.rs appends this file to js/types.d.ts there). The browser's build
// (www/pkg) leaves them out.

/**
 * An HMAC-SHA256 for signing: the MAC under `key` of `prefix` (`{id}.{timestamp}.`) then `body`,
 * 32 bytes (a `Buffer` is one). The three arguments are views of the module's memory, not copies:
 * read them during the call, keep none (the memory may grow afterwards, which empties a view).
 */
export type HostHmac = (key: Uint8Array, prefix: Uint8Array, body: Uint8Array) => Uint8Array;
/**
 * Who computes signing's HMAC-SHA256 (options.signing, `signWebhook`, `verifyWebhook`): `hmac`
 * from now on, or the module's own again with null; returns the function it replaces, or null.
 * The Node package sets node:crypto's `createHmac` as it loads (OpenSSL: about five times as fast
 * as the module's own SHA-256 on a large body), so there is nothing to do; this is for tests and
 * for hosts with another crypto. A function that throws, or returns anything but 32 bytes, is
 * passed over for that MAC (the module computes it). In the Node package only.
 * @throws {TypeError} when `hmac` is neither a function nor null.
 */
export function setHostHmac(hmac: HostHmac | null): HostHmac | null;
/**
 * `"host"` while a host's HMAC-SHA256 is set (`setHostHmac`; in the Node package node:crypto's,
 * from load on), else `"wasm"` (the module's own, RustCrypto's). In the Node package only.
 */
export function hmacBackend(): "host" | "wasm";
