// A TypeScript consumer of the installed package: `tsc --noEmit` over it is the type test.
// Each @ts-expect-error must be an error, so loose (any) types fail the test too.
import { actions, buildDeliveries, hmacBackend, parseWebhook, planBatches, pythonJsonDumps, serializers, setHostHmac, verifyWebhook } from "ls-webhooks";
import type {
  ActionName, AnnotationRow, Delivery, ErrorCode, Plan, ProjectRow, ReceiveError, TaskRow, Webhook, WebhookBody, WebhookError,
  WebhookEvent,
} from "ls-webhooks";
import { createGuardedDispatcher, safeFetch } from "ls-webhooks/safe-fetch";
import type { SafeFetchResult } from "ls-webhooks/safe-fetch";
import { createDeliverer } from "ls-webhooks/deliver";
import type { DeliveryResult, DelivererStats, Receipt } from "ls-webhooks/deliver";

const project: ProjectRow = {
  id: 12, title: "Reviews", show_instruction: false, show_skip_button: true, enable_empty_annotation: true,
  reveal_preannotations_interactively: false, show_annotation_history: false, show_collab_predictions: true,
  evaluate_predictions_automatically: false, result_count: 0, maximum_annotations: 1,
  min_annotations_to_start_training: 0, is_draft: false, is_published: false, created_at: new Date(),
  updated_at: "2026-11-26T09:40:51.503210+00:00", show_ground_truth_first: false, annotator_evaluation_enabled: false,
  show_overlap_first: false, overlap_cohort_percentage: 100, organization_id: 1, label_config_hash: 8755930484223552274n,
};
const task: TaskRow = {
  id: 41, data: { text: "flaky and warm", score: 0.5, tags: ["a", null] }, created_at: new Date(), updated_at: new Date(),
  is_labeled: true, overlap: 1, total_annotations: 1, cancelled_annotations: 0, total_predictions: 0,
  comment_count: 0, unresolved_comment_count: 0, comment_authors: [], project_id: 12,
};
const annotation: AnnotationRow = {
  id: 17, result: [{ type: "choices", value: { choices: ["Positive"] } }], was_cancelled: false, ground_truth: false,
  created_at: new Date(), updated_at: new Date(), result_count: 1, task, project_id: 12, completed_by_id: 1,
};
const webhooks: Webhook[] = [{ id: 1, organization: 1, project: 12, url: "https://example.com/hook", actions: ["ANNOTATION_CREATED"] }];
const event: WebhookEvent = { action: "ANNOTATION_CREATED", organization: 1, project, instance: annotation, webhooks };

// An object without bodyAs: string bodies.
const plan: Plan<string> = buildDeliveries({ ...event, options: { batchSize: 100 } });
const first: Delivery<string> | undefined = plan.deliveries[0];
const parsed: unknown = first ? JSON.parse(first.body) : null;
const ids: number[] = plan.targets;
const reasons: string[] = plan.skipped.map((s) => `${s.webhookId} ${s.reason}: ${s.message}`);

// bodyAs "bytes": Uint8Array bodies.
const bytes = buildDeliveries({ ...event, options: { bodyAs: "bytes", ssrfProtection: false } });
const size: number = bytes.deliveries.reduce((n, d) => n + d.body.byteLength, 0);

// Text or bytes in: the body is either.
const exact = buildDeliveries(new TextEncoder().encode(JSON.stringify(event)));
const body: string | Uint8Array | undefined = exact.deliveries[0]?.body;

async function send(p: Plan): Promise<number[]> {
  const statuses: number[] = [];
  for (const d of p.deliveries) {
    const res = await fetch(d.url, { method: d.method, headers: d.headers, body: d.body, signal: AbortSignal.timeout(1000) });
    statuses.push(res.status);
  }
  return statuses;
}

function describe(e: unknown): string {
  const err = e as WebhookError;
  const code: ErrorCode = err.code;
  switch (code) {
    case "UNKNOWN_ACTION": case "ORGANIZATION_ONLY_ACTION": case "INVALID_EVENT": case "INVALID_ROW":
      return `${code} at ${err.path}: ${err.detail}`;
    default: {
      const never: never = code; // the union is exhaustive
      return never;
    }
  }
}

// ls-webhooks/safe-fetch: the plan's own SSRF setting, one dispatcher for the whole plan.
async function sendSafely(p: Plan): Promise<string[]> {
  const dispatcher = createGuardedDispatcher({ ssrfProtection: p.ssrfProtection, connect: { timeout: 500 } });
  const lines: string[] = [];
  for (const d of p.deliveries) {
    const r: SafeFetchResult = await safeFetch(d, { timeoutMs: 1000, ssrfProtection: p.ssrfProtection, dispatcher });
    const status: number | null = r.status;
    // @ts-expect-error: a result's status is a number or null
    const wrong: string = r.status;
    lines.push(r.error ? `${r.ms} ms: ${r.error.message}` : `${status} ${wrong}`);
  }
  await dispatcher.close();
  return lines;
}

// ls-webhooks/deliver: a plan or an iterator of batches, per-target queues, results as they come.
async function deliverInBackground(p: Plan): Promise<number> {
  const failures: string[] = [];
  const deliverer = createDeliverer({ timeoutMs: 1000, maxQueuedBytes: 8 << 20, onFull: "error",
    onResult: (r: DeliveryResult) => { if (!r.ok) failures.push(`${r.delivery.webhookId}: ${r.text}`); } });
  const receipt: Receipt = await deliverer.deliver(p);
  await deliverer.deliver(planBatches(event));
  const { sent } = await receipt.done;
  await deliverer.drain();
  const stats: DelivererStats = deliverer.stats();
  const held: number = stats.queuedBytes + stats.perTarget.length;
  // @ts-expect-error: onFull is "wait" | "error"
  createDeliverer({ onFull: "drop" });
  // @ts-expect-error: a delivery's body is not a number
  deliverer.deliver({ ...p, deliveries: [{ ...p.deliveries[0], body: 5 }] });
  await deliverer.close();
  return sent + held + failures.length;
}

// The receiver's side: a signed delivery checked and parsed into the union of bodies (bodies.d.ts).
function receive(raw: Uint8Array, headers: { [name: string]: string | string[] | undefined }): string {
  let body: WebhookBody;
  try {
    body = verifyWebhook({ headers, body: raw, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
  } catch (e) {
    return `${(e as ReceiveError).code} at ${(e as ReceiveError).path}`;
  }
  if (body.action === "TASKS_CREATED" && body.tasks) return `${body.tasks.length} tasks in ${body.project.title}`;
  // @ts-expect-error: the action-only form has no tasks
  const n: number = body.action === "TASKS_CREATED" ? body.tasks.length : 0;
  return `${parseWebhook(raw).action} ${n}`;
}

const names: ActionName[] = actions().map((a) => a.action);
const fields: string[] = serializers().flatMap((s) => s.fields.map((f) => `${s.id}.${f.name}:${f.kind}`));
const dumped: string = pythonJsonDumps("[1.0, 1e16]");
// The host's HMAC-SHA256: what is set, swapped and restored.
const backend: "host" | "wasm" = hmacBackend();
const previous = setHostHmac(null);
setHostHmac(previous);
// A counting wrapper: the parameters are typed from HostHmac.
let macs = 0;
setHostHmac((key, prefix, body) => (macs++, previous ? previous(key, prefix, body) : new Uint8Array(32)));
setHostHmac(previous);

// @ts-expect-error: not one of the 12 actions
buildDeliveries({ action: "TASK_CREATED", organization: 1 });
// @ts-expect-error: string bodies have no byteLength
plan.deliveries[0]?.body.byteLength;
// @ts-expect-error: bodyAs is "string" | "bytes"
buildDeliveries({ action: "TASKS_CREATED", organization: 1, options: { bodyAs: "buffer" } });
// @ts-expect-error: the organization is required
const noOrg: WebhookEvent = { action: "TASKS_CREATED" };
// @ts-expect-error: a required task field with the wrong type
const badTask: TaskRow = { ...task, is_labeled: "yes" };
// @ts-expect-error: an error code outside the union
const badCode: ErrorCode = "INVALID_URL";
// @ts-expect-error: the plan's target ids are numbers
const badIds: string[] = plan.targets;
// @ts-expect-error: the actions registry is typed, not any
const badAction: number = actions()[0].action;
// @ts-expect-error: a host HMAC returns the digest's bytes, not its base64
setHostHmac(() => "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
// @ts-expect-error: redirect is "follow" | "manual" | "error"
const badRedirect = safeFetch({ url: "https://example.com/" }, { redirect: "always" });

export { receive, parsed, ids, reasons, size, body, send, describe, names, fields, dumped, backend, macs, noOrg, badTask, badCode, badIds, badAction, sendSafely, badRedirect, deliverInBackground };
