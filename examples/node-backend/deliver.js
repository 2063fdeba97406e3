// Sends plans in the background with ls-webhooks/deliver: one queue per target (webhook
// id and URL), so a slow or dead webhook only delays itself, while each target still gets
// its events in the order they happened (annotation updated after created), batch by batch.
// Label Studio's semantics: a 1 s timeout per POST, no retry, a failure logged, never thrown.
// Memory is bounded (64 MiB of queued bodies by default): past it, deliver() waits for room.
// Each POST goes through safeFetch (ls-webhooks/safe-fetch), as Label Studio's
// ssrf_safe_post: with the plan's SSRF protection on, each connection (redirect hops too)
// resolves its host once, refuses any reserved address and connects to the address it checked.
import { createDeliverer as createQueues } from "ls-webhooks/deliver";

/**
 * deliver(plan): hands the plan over and returns at once; the promise it returns resolves
 * (never rejects) once each of the plan's deliveries was sent or failed.
 * deliver.idle(): resolves once everything handed over so far was sent or failed.
 * deliver.close(): stops accepting, sends what is queued, closes the connections.
 * deliver.stats(): queued, queuedBytes, inFlight, sent, failed, perTarget.
 * Options are ls-webhooks/deliver's (timeoutMs, maxQueuedBytes, onFull, onResult, ...).
 */
export function createDeliverer({ timeoutMs = 1000, log = console.log, ...options } = {}) {
  const deliverer = createQueues({ timeoutMs, log, ...options });

  const deliver = (plan) => deliverer.deliver(plan).then(
    (receipt) => receipt.done,
    (e) => { log(`${plan.action}: not delivered: ${e.code ? `${e.code}: ` : ""}${e.message}`); },
  );
  deliver.idle = () => deliverer.drain();
  deliver.close = () => deliverer.close();
  deliver.stats = () => deliverer.stats();
  return deliver;
}

/**
 * The same interface over ls-webhooks/queue (BullMQ on Redis): deliver(plan) enqueues it
 * (each batch body stored once, one small job per delivery on its target's own queue) and
 * separate `ls-webhooks worker --redis URL` processes send. Used when REDIS_URL is set.
 * Needs `npm install bullmq ioredis`.
 */
export async function createQueueDeliverer({ redisUrl, log = console.log, attempts = 1 } = {}) {
  const { createProducer } = await import("ls-webhooks/queue");
  const producer = createProducer({ connection: redisUrl });
  let pending = Promise.resolve();
  const deliver = (plan) => (pending = pending.then(() => producer.enqueue(plan, { attempts }).then(
    (ids) => log(`${plan.action}: ${ids.length} deliveries queued on Redis`),
    (e) => log(`${plan.action}: not queued: ${e.code ? `${e.code}: ` : ""}${e.message}`),
  )));
  deliver.idle = () => pending;
  deliver.close = async () => { await pending; await producer.close(); };
  deliver.stats = () => ({ queued: 0 }); // what waits is in Redis: see counts()
  deliver.counts = () => producer.counts();
  return deliver;
}
