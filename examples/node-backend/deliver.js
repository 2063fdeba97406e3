// Sends plans in the background. One queue keeps events in order (annotation updated
// after created); each POST has its own timeout, and a failure is logged, never thrown.
export function createDeliverer({ timeoutMs = 1000, log = console.log } = {}) {
  let queue = Promise.resolve();

  async function send(plan) {
    for (const s of plan.skipped) log(`${plan.action} webhook ${s.webhookId}: skipped (${s.reason}: ${s.message})`);
    for (const d of plan.deliveries) {
      try {
        const res = await fetch(d.url, {
          method: d.method, headers: d.headers, body: d.body, signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        log(`${plan.action} webhook ${d.webhookId}: ${res.status}`);
      } catch (e) {
        const why = e.name === "TimeoutError" ? `timeout after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
        log(`${plan.action} webhook ${d.webhookId}: failed (${why})`);
      }
    }
  }

  const deliver = (plan) => (queue = queue.then(() => send(plan)));
  /** Resolves once everything handed over so far has been sent (tests, graceful shutdown). */
  deliver.idle = () => queue;
  return deliver;
}
