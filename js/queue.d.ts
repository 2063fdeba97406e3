// ls-webhooks/queue: the deliveries of a plan through BullMQ on Redis, for any number of
// worker processes. Needs the `bullmq` and `ioredis` packages (optional peer dependencies).
import type { BatchIterator, BatchStep, BodyBytes, Delivery, Plan } from "./ls_webhooks.js";
import type { SafeFetchResult } from "./safe-fetch.js";

/** A redis:// URL, ioredis options ({host, port, ...} or {url, ...}), or an ioredis client. */
export type Connection = string | ({ url?: string } & Record<string, unknown>) | object;

/** BullMQ's back-off: exponential or fixed, `delay` in ms, `jitter` a fraction (0-1). */
export interface Backoff {
  type: "exponential" | "fixed";
  delay?: number;
  jitter?: number;
}

/** BullMQ's KeepJobs: how many finished jobs to keep, or for how long (seconds). */
export type KeepJobs = boolean | number | { age?: number; count?: number };

export interface EnqueueOptions {
  connection: Connection;
  /** Key prefix of everything stored (no ':'). Default "lsw". */
  prefix?: string;
  /** Tries per delivery. Default 1 (no retry, as Label Studio). */
  attempts?: number;
  /** With attempts > 1. Default {type: "exponential", delay: 1000, jitter: 0.5}. */
  backoff?: Backoff | number;
  /** Default {age: 3600, count: 1000} (per target). */
  removeOnComplete?: KeepJobs;
  /** Default {age: bodyTtlSeconds, count: 10000} (per target): failed jobs live as long as their bodies. */
  removeOnFail?: KeepJobs;
  /** Expiry of the stored bodies, refreshed when the same body is enqueued again. Default 86400. */
  bodyTtlSeconds?: number;
  /** Each request's timeout, answer included. Default 1000 (Label Studio's WEBHOOK_TIMEOUT). */
  timeoutMs?: number;
  /** The global concurrency set on each target's queue. Default 1: one at a time, in order. */
  targetConcurrency?: number;
  /** Mixed into the delivery ids, to tell apart two events whose bodies are identical. */
  eventId?: string | number;
}

/** The job stored per delivery (the body is the key of its one stored copy). */
export interface DeliveryJob {
  webhookId: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  bodyKey: string;
  batch: number;
  deliveryId: string;
  ssrfProtection: boolean;
  timeoutMs: number;
  action: string;
}

export interface Counts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface QueueCounts extends Counts {
  /** Per target queue ("t<webhookId>-<hash of the url>"). */
  targets: Record<string, Counts & { webhookId: number; url: string }>;
}

type Source = Plan | BatchIterator | Iterable<BatchStep<string | BodyBytes>>;

/**
 * Stores each batch's body once and adds one job per delivery to its target's queue.
 * Resolves to the job ids (stable delivery ids, in emission order): enqueueing the same
 * event again adds nothing while its jobs exist.
 */
export function enqueue(planOrBatches: Source, options: EnqueueOptions): Promise<string[]>;
/** The counts, summed over the target queues and per target. */
export function queueCounts(options: { connection: Connection; prefix?: string }): Promise<QueueCounts>;
/** Sends a failed (or completed) delivery again, its attempts reset. */
export function redeliver(jobId: string, options: { connection: Connection; prefix?: string }): Promise<{ jobId: string; queue: string; was: "failed" | "completed" }>;
export interface FailedJob {
  jobId: string;
  queue: string;
  webhookId: number;
  url: string;
  batch: number;
  action: string;
  attemptsMade: number;
  /** "HTTP 500 Internal Server Error", "timeout: no response within 1000 ms", "ECONNREFUSED: ...". */
  failedReason: string;
  finishedOn: number;
}
/** The failed jobs, newest first, at most `limit` (default 100) per target queue. */
export function failedJobs(options: { connection: Connection; prefix?: string; limit?: number }): Promise<FailedJob[]>;
/** Closes the connections enqueue(), queueCounts(), failedJobs() and redeliver() opened. */
export function close(): Promise<void>;

export interface Producer {
  enqueue(planOrBatches: Source, options?: Omit<EnqueueOptions, "connection">): Promise<string[]>;
  counts(prefix?: string): Promise<QueueCounts>;
  redeliver(jobId: string, prefix?: string): Promise<{ jobId: string; queue: string; was: "failed" | "completed" }>;
  targets(prefix?: string): Promise<Record<string, { webhookId: number; url: string }>>;
  failed(prefix?: string, limit?: number): Promise<FailedJob[]>;
  close(): Promise<void>;
}
/** A producer with a lifetime of its own (one connection, kept until close()). */
export function createProducer(options: { connection: Connection; prefix?: string }): Producer;

export interface WorkerOptions {
  connection: Connection;
  /** Requests in flight in this process, all targets together. Default 8. */
  concurrency?: number;
  prefix?: string;
  /** BullMQ's job lock, extended while a request runs. Default 10000. */
  lockDuration?: number;
  /** BullMQ's stalled-job check. Default 5000: a dead worker's jobs come back in 10-15 s. */
  stalledInterval?: number;
  /** Times a job may be recovered from a dead worker before it fails. Default 2. */
  maxStalledCount?: number;
  /** How often the registry and every target queue are looked at. Default 1000. */
  pollMs?: number;
  /** Replaces the default send (safeFetch: the SSRF guard when the plan had it). */
  fetch?: (delivery: Pick<Delivery, "url" | "method" | "headers"> & { body: Uint8Array },
    options: { timeoutMs: number; ssrfProtection: boolean }) => Promise<Pick<SafeFetchResult, "ok" | "status" | "statusText" | "ms" | "error">>;
  /**
   * Re-signs each signed delivery as it is sent (Standard Webhooks): its webhook-id kept, a
   * fresh webhook-timestamp and signature, so a retry or a redelivery is not refused by a
   * receiver's tolerance. The secrets as in the event's `options.signing`. A bad secret
   * throws (INVALID_ARGUMENT) here.
   */
  signing?: { secret?: string; secrets?: Record<number, string> };
}

export interface DeliveryEvent {
  jobId: string;
  queue: string;
  webhookId: number;
  url: string;
  batch: number;
  /** 1-based. */
  attempt: number;
  attempts: number;
  status: number | null;
  ms: number | null;
  error: Error | null;
  /** false when the job will be tried again. */
  final: boolean;
}

/** A Node EventEmitter (declared here without @types/node). */
export interface DeliveryWorker {
  /** Resolves once the worker listens for work. */
  readonly ready: Promise<void>;
  readonly inFlight: number;
  readonly closing: Promise<void> | null;
  /** Stops fetching, waits for the requests under way (not with `force`), closes the connections. */
  close(force?: boolean): Promise<void>;
  on(event: "completed" | "failed", listener: (e: DeliveryEvent) => void): this;
  on(event: "stalled", listener: (e: { jobId: string; queue: string }) => void): this;
  on(event: "error", listener: (e: Error) => void): this;
  on(event: "closed", listener: () => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
}

/** One per process: a BullMQ Worker per target queue, `concurrency` slots shared by all. */
export function createWorker(options: WorkerOptions): DeliveryWorker;

/** The queue of a target: "t<webhookId>-<first 16 hex digits of sha256(url)>". */
export function targetQueueName(webhookId: number, url: string): string;
export const DEFAULT_PREFIX: string;
export const DEFAULT_TIMEOUT_MS: number;
export const DEFAULT_BODY_TTL_S: number;
export const DEFAULT_BACKOFF: Readonly<Backoff>;
export const DEFAULT_REMOVE_ON_COMPLETE: Readonly<{ age: number; count: number }>;
