// Sends plans in the background. One queue keeps events in order (annotation updated
// after created); each POST has its own timeout, and a failure is logged, never thrown.
// safeFetch sends as Label Studio's ssrf_safe_post does: with the plan's SSRF protection
// on, each connection (redirect hops too) resolves its host once, refuses any reserved
// address and connects to the address it checked.
import { safeFetch } from "ls-webhooks/safe-fetch";

export function createDeliverer({ timeoutMs = 1000, log = console.log } = {}) {
  let queue = Promise.resolve();

  async function send(plan) {
    for (const s of plan.skipped) log(`${plan.action} webhook ${s.webhookId}: skipped (${s.reason}: ${s.message})`);
    for (const d of plan.deliveries) {
      const r = await safeFetch(d, { timeoutMs, ssrfProtection: plan.ssrfProtection });
      if (!r.error) {
        log(`${plan.action} webhook ${d.webhookId}: ${r.status}`);
        continue;
      }
      const e = r.error;
      const why = e.name === "TimeoutError" ? `timeout after ${timeoutMs} ms`
        : e.code === "SSRF_BLOCKED" ? `SSRF_BLOCKED: ${e.message}`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
      log(`${plan.action} webhook ${d.webhookId}: failed (${why})`);
    }
  }

  const deliver = (plan) => (queue = queue.then(() => send(plan)));
  /** Resolves once everything handed over so far has been sent (tests, graceful shutdown). */
  deliver.idle = () => queue;
  return deliver;
}
