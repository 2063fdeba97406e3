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
