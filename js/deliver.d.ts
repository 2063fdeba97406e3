// ls-webhooks/deliver: sends plans in the background, in process, with Label Studio 1.23.2's
// semantics (1 s timeout, no retry, failures logged and never thrown), one FIFO per target
// and a cap on the body bytes it holds. The default send needs the `undici` package (an
// optional dependency of ls-webhooks), through ls-webhooks/safe-fetch.
import type { ActionName, BatchIterator, BatchStep, BodyBytes, Delivery, Plan } from "./ls_webhooks.js";
import type { SafeFetchResult } from "./safe-fetch.js";

/** What a custom `send` is given besides the delivery. */
export interface SendOptions {
  /** The deliverer's timeoutMs. */
  timeoutMs: number;
  /** The plan's ssrfProtection (or the deliverer's, when it was created with one). */
  ssrfProtection: boolean;
}

/** What a custom `send` resolves to (safeFetch's result fits). A rejection counts as a failure. */
export interface SendResult {
  ok: boolean;
  status?: number | null;
  statusText?: string | null;
  ms?: number;
  error?: Error | null;
}

/** One delivery's outcome, given to `onResult`. */
export interface DeliveryResult {
  delivery: Delivery;
  /** The plan's action (undefined for an iterable that has none). */
  action: ActionName | undefined;
  /** A 2xx answer, read to its end. */
  ok: boolean;
  /** The answer's status, or null when none came. */
  status: number | null;
  statusText: string | null;
  /** "200 OK", "500 Internal Server Error", "timeout: no response within 1 s", "connection refused (ECONNREFUSED)", ... */
  text: string;
  ms: number;
  /** null, or why it failed (SafeFetchResult["error"], or what a custom send threw). */
  error: SafeFetchResult["error"] | Error;
}

export interface DelivererOptions {
  /** Each request, answer included. Default 1000 (Label Studio's WEBHOOK_TIMEOUT). */
  timeoutMs?: number;
  /**
   * The body bytes held by queued and in-flight deliveries, at most. Default 64 MiB. A body
   * shared by several targets (the same Uint8Array, or the same string within a batch) counts
   * once. A batch larger than the cap is admitted alone, once nothing else is held.
   */
  maxQueuedBytes?: number;
  /** When a batch does not fit: "wait" (default: deliver() resolves once it is admitted) or "error" (QUEUE_FULL). */
  onFull?: "wait" | "error";
  /** One line per delivery ("TASKS_CREATED webhook 3: 200", "... webhook 4: failed (timeout after 1000 ms)") and per skipped webhook. Default: none. */
  log?: (line: string) => void;
  /** Called once per delivery, sent or failed; what it throws is logged and ignored. */
  onResult?: (result: DeliveryResult) => void;
  /** Replaces the default send (safeFetch through the deliverer's own guarded dispatchers). */
  send?: (delivery: Delivery, options: SendOptions) => Promise<SendResult>;
  /** Overrides each plan's own ssrfProtection (the default: the plan decides). */
  ssrfProtection?: boolean;
}

/** What deliver() resolves to, once all of the plan is admitted. */
export interface Receipt {
  action: ActionName | undefined;
  /** Deliveries admitted (all of the plan's). */
  deliveries: number;
  batches: number;
  /** Resolves once each of them was sent or failed; never rejects. */
  done: Promise<{ deliveries: number; sent: number; failed: number }>;
}

export interface TargetStats {
  webhookId: number;
  url: string;
  /** Waiting (not yet sent). */
  queued: number;
  /** 0 or 1: one request at a time per target. */
  inFlight: number;
  sent: number;
  failed: number;
  /** The last failure's text, or null. */
  lastError: string | null;
}

export interface DelivererStats {
  /** Deliveries waiting, all targets. */
  queued: number;
  /** Body bytes held by waiting and in-flight deliveries (shared bodies once). */
  queuedBytes: number;
  maxQueuedBytes: number;
  /** The most queuedBytes has been. */
  peakQueuedBytes: number;
  inFlight: number;
  sent: number;
  failed: number;
  /** deliver() calls waiting for room (onFull "wait"). */
  waitingCalls: number;
  closed: boolean;
  /** One per target (webhook id and URL) seen so far. */
  perTarget: TargetStats[];
}

/** deliver()'s rejection when a batch does not fit and onFull is "error". */
export interface QueueFullError extends Error {
  code: "QUEUE_FULL";
  /** The batch refused: nothing of it was queued (the batches before it were). */
  batch: number;
  neededBytes: number;
  queuedBytes: number;
  maxQueuedBytes: number;
  /** Deliveries of this call admitted before the refusal. */
  admitted: number;
}

/** deliver()'s rejection after close(). */
export interface ClosedError extends Error {
  code: "CLOSED";
}

export interface Deliverer {
  /**
   * Hands over a plan (buildDeliveries) or a planBatches iterator: each delivery joins its
   * target's FIFO, in emission order. Resolves once all of it is admitted (with onFull
   * "wait", an iterator is pulled one batch at a time, as room frees up).
   * Rejects with QUEUE_FULL (onFull "error"), CLOSED, a TypeError for something that is not
   * a plan, or the WebhookError a batch's rendering threw; never for a failed delivery.
   */
  deliver(plan: Plan | BatchIterator | Iterable<BatchStep<string | BodyBytes>>): Promise<Receipt>;
  /** Resolves once everything handed over so far was sent or failed. */
  drain(): Promise<void>;
  /** Stops accepting (deliver() rejects with CLOSED), drains, closes the connections it opened. */
  close(): Promise<void>;
  stats(): DelivererStats;
  readonly closed: boolean;
}

/**
 * A deliverer with its own per-target queues and, for the default send, its own guarded
 * undici dispatchers (closed by close()).
 * @throws {Error} when no `send` is given and undici is not installed (how to install it).
 * @throws {RangeError | TypeError} for an option out of range or of the wrong type.
 */
export function createDeliverer(options?: DelivererOptions): Deliverer;
/** 64 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES: number;
