// The receiver's side (signWebhook, parseWebhook, verifyWebhook): declared only where the
// module has them (the `receiver` feature, the Node package; src/wasm/mod.rs appends this
// file to js/types.d.ts there). The browser's build (www/pkg) leaves them out.

/** Codes of the errors `parseWebhook` and `verifyWebhook` throw (see ReceiveError). */
export type ReceiveErrorCode =
  | "INVALID_BODY" | "INVALID_ARGUMENT"
  | "MISSING_HEADER" | "INVALID_HEADER" | "TIMESTAMP_OUT_OF_TOLERANCE" | "SIGNATURE_MISMATCH";

/** The three Standard Webhooks headers of one delivery, as signing adds them. */
export interface SignatureHeaders {
  "webhook-id": string;
  /** Whole seconds since the Unix epoch, as decimal text. */
  "webhook-timestamp": string;
  /** `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
  "webhook-signature": string;
}

export interface SignWebhookArgs {
  /** The delivery's `webhook-id` (1 to 200 of `A-Z a-z 0-9 _ . : -`): keep a delivery's own when re-signing it. */
  id: string;
  /** The exact body that is sent: its text, or its UTF-8 bytes. */
  body: string | Uint8Array;
  /** A Standard Webhooks secret (`whsec_` and base64). */
  secret: string;
  /** Whole seconds since the Unix epoch. Default: now. */
  timestamp?: number;
}

/**
 * Signs one delivery (this package's extension, as `options.signing` does): its three `webhook-*`
 * headers, for re-signing a delivery when it is finally sent (a retry keeps its id and gets a fresh
 * timestamp, within the receiver's tolerance). Merge them over the delivery's own headers.
 * @throws {ReceiveError} `INVALID_ARGUMENT`, with the argument's name as `path`.
 */
export function signWebhook(args: SignWebhookArgs): SignatureHeaders;

// ---- The receiver's side: parseWebhook, verifyWebhook ----

/** The errors `parseWebhook` and `verifyWebhook` throw: an Error with a code and the path of what is wrong. */
export interface ReceiveError extends Error {
  code: ReceiveErrorCode;
  /**
   * `INVALID_BODY`: the first offending field of the body, e.g. "tasks[0].created_at" ("" for the whole
   * body); the header's name for a header error; the argument's name for `INVALID_ARGUMENT`.
   */
  path: string;
  detail: string;
  /** A body that is not JSON (or not UTF-8): the byte offset of the error. */
  offset?: number;
  /** A body that is not JSON: 1-based line and column (characters) of the error. */
  line?: number;
  column?: number;
}

/** `parseWebhook`'s options. */
export interface ParseWebhookOptions {
  /**
   * Check the body against what Label Studio sends for its action (default true). `false` takes any
   * JSON (a custom `emit_webhooks` payload): the result is then any JSON value, not a WebhookBody.
   */
  checkBody?: boolean;
}

/** A received body: the text, or its bytes (a Buffer, Uint8Array, any ArrayBufferView or an ArrayBuffer). */
export type ReceivedBody = string | ArrayBuffer | ArrayBufferView;

/**
 * Request headers as a receiver has them: a `Headers` (fetch, undici: anything with `get(name)`), a plain
 * object with names in any case (Node's `req.headers`; a list value is joined as `Headers` joins it), or
 * `[name, value]` pairs.
 */
export type ReceivedHeaders =
  | { get(name: string): string | null | undefined }
  | { readonly [name: string]: string | readonly string[] | undefined }
  | ReadonlyArray<readonly [string, string]>;

export interface VerifyWebhookArgs extends ParseWebhookOptions {
  headers: ReceivedHeaders;
  /** The raw body as received (verify before any JSON parsing). */
  body: ReceivedBody;
  /** A Standard Webhooks secret (`whsec_` and base64), or several (any one may match: key rotation). */
  secret: string | readonly string[];
  /** How far `webhook-timestamp` may be from `now`, either way, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The time to check against: a Date or seconds since the Unix epoch. Default: the clock. */
  now?: Date | number;
}

/**
 * A received body checked against what Label Studio 1.23.2 sends for its action (the registry, the body
 * layout and the serializers' fields: the rules of docs/schemas/ACTION.json), and parsed, integers
 * past 2^53 as exact BigInts. A union on `action` (`switch (body.action)` narrows it). In the Node
 * package only: the web build (www/pkg) leaves the receiver's functions out.
 * @throws {ReceiveError} `INVALID_BODY` (with the path of the first offending field), `INVALID_ARGUMENT`
 * (neither a string nor bytes).
 */
export function parseWebhook(body: ReceivedBody, options?: { checkBody?: true } | null): WebhookBody;
/** With `checkBody: false`: any JSON, parsed (integers past 2^53 as BigInts). @throws {ReceiveError} */
export function parseWebhook(body: ReceivedBody, options: { checkBody: false }): BodyJson;
/** With `checkBody` not known: a WebhookBody, or any JSON. @throws {ReceiveError} */
export function parseWebhook(body: ReceivedBody, options?: ParseWebhookOptions | null): WebhookBody | BodyJson;

/**
 * Checks a signed delivery (Standard Webhooks: this package's `options.signing`, or any sender of the
 * standard): the three `webhook-*` headers, the timestamp within `toleranceSeconds` of `now`, one `v1`
 * signature made with one of the secrets; then returns `parseWebhook(body, { checkBody })`. In the
 * Node package only.
 * @throws {ReceiveError} `MISSING_HEADER`, `INVALID_HEADER`, `TIMESTAMP_OUT_OF_TOLERANCE`,
 * `SIGNATURE_MISMATCH`, `INVALID_BODY`, `INVALID_ARGUMENT`.
 */
export function verifyWebhook(args: VerifyWebhookArgs & { checkBody?: true }): WebhookBody;
/** With `checkBody: false`: any JSON, once the signature is good. @throws {ReceiveError} */
export function verifyWebhook(args: VerifyWebhookArgs & { checkBody: false }): BodyJson;
/** With `checkBody` not known: a WebhookBody, or any JSON. @throws {ReceiveError} */
export function verifyWebhook(args: VerifyWebhookArgs): WebhookBody | BodyJson;
