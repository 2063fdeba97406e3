// The body types (issue 14, "A receiver's kit"): `tsc --noEmit --strict` over this file is the test
// (tests/node/types.test.mjs). parseWebhook and verifyWebhook return WebhookBody, a union on `action`
// generated into js/bodies.d.ts; a switch on the action narrows it, and a test of the action's own key
// tells the full payload from the action-only form. Each @ts-expect-error line must be an error (an
// unused directive is itself an error); everything else must compile.
import { buildDeliveries, parseWebhook, planBatches, signWebhook, verifyWebhook } from "ls-webhooks";
import type {
  ActionName, ActionOnlyBody, AnnotationObject, BatchIterator, BodyAction, BodyBytes, BodyInt, BodyJson, IdObject,
  LabelLinkObject, LabelObject, NonEmptyList, PayloadBody, Plan, ProjectObject, ReceiveError, ReceiveErrorCode,
  SignatureHeaders, SigningOptions, TaskObject, Warning, WebhookBody, WebhookEvent,
} from "ls-webhooks";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;

// The union covers the 12 actions, each with both forms.
export const sameActions: Equal<BodyAction, ActionName> = true;
export const bothForms: Equal<WebhookBody<"TASKS_CREATED">, PayloadBody<"TASKS_CREATED"> | ActionOnlyBody<"TASKS_CREATED">> = true;
export const intType: Equal<BodyInt, number | bigint> = true;

// ---- Narrowing: a receiver's switch.

export function describe(body: WebhookBody): string {
  switch (body.action) {
    case "PROJECT_CREATED":
    case "PROJECT_UPDATED": {
      // @ts-expect-error: the action-only form has no project
      void body.project.title;
      if (!body.project) return body.action;
      const p: ProjectObject = body.project;
      const hash: BodyInt | null = p.label_config_hash;
      const counted: BodyInt | undefined = p.task_number; // rendered only when Label Studio's row has it
      return `${p.title} ${hash} ${counted}`;
    }
    case "PROJECT_DELETED": {
      if (!body.project) return body.action;
      const deleted: IdObject = body.project;
      // @ts-expect-error: a deleted project is {id} alone
      void body.project.title;
      return String(deleted.id);
    }
    case "TASKS_CREATED": {
      // @ts-expect-error: the action-only form has no tasks
      void body.tasks.length;
      if (!body.tasks) return body.action;
      const first: TaskObject = body.tasks[0]; // never empty: [0] is a task, not undefined
      const data: BodyJson = first.data;
      const project: ProjectObject = body.project;
      const authors: BodyInt[] = first.comment_authors;
      const agreement: number | null = first.precomputed_agreement;
      // @ts-expect-error: an int may be a BigInt (past 2^53), so not a number
      const id: number = first.id;
      // @ts-expect-error: a datetime is a string
      const created: Date = first.created_at;
      // @ts-expect-error: TASKS_CREATED has no annotation key
      void body.annotation;
      return `${data} ${project.id} ${authors} ${agreement} ${id} ${created}`;
    }
    case "TASKS_DELETED": {
      if (!body.tasks) return body.action;
      const ids: BodyInt[] = body.tasks.map((t) => t.id);
      // Delete-all sends no project: the key is optional here, and only here.
      const project: ProjectObject | undefined = body.project;
      // @ts-expect-error: the project may be absent
      const title: string | null = body.project.title;
      return `${ids} ${project?.id} ${title}`;
    }
    case "ANNOTATION_CREATED":
    case "ANNOTATION_UPDATED": {
      if (!body.annotation) return body.action;
      const annotation: AnnotationObject = body.annotation;
      const task: TaskObject = body.task;
      const result: BodyJson = annotation.result;
      const taskId: BodyInt | null = annotation.task; // the annotation's own task is the id
      const unique: string | null = annotation.unique_id;
      // @ts-expect-error: one annotation, not a list
      void body.annotation[0];
      return `${task.id} ${result} ${taskId} ${unique}`;
    }
    case "ANNOTATIONS_CREATED": {
      if (!body.annotation) return body.action;
      // A list under the singular key, and a list of tasks.
      const annotations: NonEmptyList<AnnotationObject> = body.annotation;
      const tasks: TaskObject[] = body.task;
      // @ts-expect-error: a list, not one annotation
      void body.annotation.was_cancelled;
      return `${annotations.length} ${tasks.length}`;
    }
    case "ANNOTATIONS_DELETED": {
      if (!body.annotations) return body.action;
      const ids: IdObject[] = body.annotations;
      return ids.map((a) => String(a.id)).join(",");
    }
    case "LABEL_LINK_CREATED": {
      if (!body.label_link) return body.action;
      const links: LabelLinkObject[] = body.label_link;
      const counts: Array<BodyInt | undefined> = links.map((l) => l.annotations_count);
      // @ts-expect-error: LABEL_LINK_CREATED has no label key
      void body.label;
      return `${counts}`;
    }
    case "LABEL_LINK_UPDATED": {
      if (!body.label_link) return body.action;
      const link: LabelLinkObject = body.label_link;
      const label: LabelObject = body.label;
      const labelId: BodyInt = link.label; // the link's own label is the id; the row is body.label
      const value: BodyJson = label.value;
      return `${labelId} ${value} ${label.projects.length}`;
    }
    case "LABEL_LINK_DELETED": {
      if (!body.label_link) return body.action;
      const deleted: IdObject = body.label_link;
      return String(deleted.id);
    }
    default: {
      const never: never = body; // the union is exhaustive
      return never;
    }
  }
}

// `in` narrows as well as the key's value does.
export function taskCount(body: WebhookBody<"TASKS_CREATED">): number {
  return "tasks" in body && body.tasks ? body.tasks.length : 0;
}

// ---- Bodies as literals: what compiles and what does not.

const project: ProjectObject = {
  id: 12, title: "Reviews", description: null, label_config: "<View/>", parsed_label_config: { sentiment: { type: "Choices" } },
  label_config_hash: 8755930484223552274n, expert_instruction: null, show_instruction: false, show_skip_button: true,
  enable_empty_annotation: true, reveal_preannotations_interactively: false, show_annotation_history: false,
  show_collab_predictions: true, evaluate_predictions_automatically: false, token: null, result_count: 0, color: null,
  maximum_annotations: 1, min_annotations_to_start_training: 0, control_weights: {}, model_version: null, data_types: null,
  is_draft: false, is_published: false, created_at: "2026-11-26T09:12:03Z", updated_at: "2026-11-26T09:12:03.114852Z",
  sampling: null, skip_queue: null, show_ground_truth_first: false, annotator_evaluation_enabled: false,
  show_overlap_first: false, overlap_cohort_percentage: 100, task_data_login: null, task_data_password: null,
  pinned_at: null, custom_task_lock_ttl: null, deleted_at: null, purge_at: null, search_vector: null,
  organization: 1, created_by: 1, deleted_by: null,
};
const task: TaskObject = {
  id: 41, data: { text: "x", big: 12345678901234567890n, list: [1, null, { a: true }] }, meta: null,
  created_at: "2026-11-26T23:17:32.937907Z", updated_at: "2026-11-26T23:17:32Z", is_labeled: false, allow_skip: null,
  overlap: 1, inner_id: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0,
  precomputed_agreement: null, comment_count: 0, unresolved_comment_count: 0, last_comment_updated_at: null,
  project: 12, updated_by: null, file_upload: null, comment_authors: [1, 2n],
};

export const good: WebhookBody[] = [
  { action: "TASKS_CREATED", tasks: [task], project },
  { action: "TASKS_CREATED" },
  { action: "TASKS_DELETED", tasks: [{ id: 1 }, { id: 2n }] },
  { action: "TASKS_DELETED", tasks: [{ id: 1 }], project },
  { action: "PROJECT_DELETED", project: { id: 12345678901234567890n } },
  { action: "PROJECT_CREATED", project: { ...project, task_number: 3, finished_task_number: 1 } },
  { action: "LABEL_LINK_DELETED", label_link: { id: 9 }, project },
];

// @ts-expect-error: not one of the 12 actions
export const unknownAction: WebhookBody = { action: "TASK_CREATED" };
// @ts-expect-error: a batch is never empty
export const emptyBatch: WebhookBody = { action: "TASKS_CREATED", tasks: [], project };
// @ts-expect-error: TASKS_CREATED always carries the project
export const noProject: WebhookBody = { action: "TASKS_CREATED", tasks: [task] };
// @ts-expect-error: a key no body has
export const extraKey: WebhookBody = { action: "TASKS_CREATED", tasks: [task], project, batch: 0 };
// @ts-expect-error: a list of tasks, not one
export const oneTask: WebhookBody = { action: "TASKS_CREATED", tasks: task, project };
// @ts-expect-error: the action alone has nothing else
export const actionOnlyExtra: WebhookBody = { action: "TASKS_CREATED", note: "x" };
// @ts-expect-error: an id is an integer, not text
export const idAsText: WebhookBody = { action: "PROJECT_DELETED", project: { id: "12" } };
// @ts-expect-error: a deleted project is {id} alone
export const deletedWithTitle: WebhookBody = { action: "PROJECT_DELETED", project: { id: 12, title: "x" } };
// @ts-expect-error: is_labeled is not nullable
export const nullLabeled: WebhookBody = { action: "TASKS_CREATED", tasks: [{ ...task, is_labeled: null }], project };
// @ts-expect-error: a datetime is the UTC string, not a Date
export const dateObject: WebhookBody = { action: "TASKS_CREATED", tasks: [{ ...task, created_at: new Date() }], project };
// @ts-expect-error: comment_authors is a list of ids, never null
export const nullAuthors: WebhookBody = { action: "TASKS_CREATED", tasks: [{ ...task, comment_authors: null }], project };
// @ts-expect-error: ANNOTATION_CREATED carries the task too
export const noTask: WebhookBody = { action: "ANNOTATION_CREATED", annotation: {} as AnnotationObject, project };
// @ts-expect-error: another action's keys
export const mixed: WebhookBody = { action: "ANNOTATIONS_DELETED", tasks: [{ id: 1 }], project };

// ---- parseWebhook and verifyWebhook.

export const fromText: string = describe(parseWebhook('{"action": "TASKS_CREATED"}'));
export const fromBytes: WebhookBody = parseWebhook(new TextEncoder().encode('{"action": "TASKS_CREATED"}'));
export const fromBuffer: WebhookBody = parseWebhook(new ArrayBuffer(0));
export const fromView: WebhookBody = parseWebhook(new DataView(new ArrayBuffer(0)));
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const nodeHeaders: { [name: string]: string | string[] | undefined } = { "webhook-id": "msg_1", "x-forwarded-for": ["a", "b"], host: undefined };
export const verified: WebhookBody[] = [
  verifyWebhook({ headers: nodeHeaders, body: "{}", secret }),
  verifyWebhook({ headers: new Headers(), body: new Uint8Array(0), secret: [secret, "whsec_AAAA"], toleranceSeconds: 60, now: new Date() }),
  verifyWebhook({ headers: [["webhook-id", "msg_1"], ["webhook-timestamp", "1"]], body: new ArrayBuffer(0), secret, now: 1700000000 }),
];
// @ts-expect-error: the body is the raw text or bytes, not a parsed object
parseWebhook({ action: "TASKS_CREATED" });
// @ts-expect-error: a secret is text (or a list of them)
verifyWebhook({ headers: {}, body: "{}", secret: 42 });
// @ts-expect-error: the secret is required
verifyWebhook({ headers: {}, body: "{}" });
// @ts-expect-error: now is a Date or seconds
verifyWebhook({ headers: {}, body: "{}", secret, now: "2026-11-26" });

export function code(e: unknown): ReceiveErrorCode {
  const err = e as ReceiveError;
  switch (err.code) {
    case "INVALID_BODY": case "INVALID_ARGUMENT": case "MISSING_HEADER": case "INVALID_HEADER":
    case "TIMESTAMP_OUT_OF_TOLERANCE": case "SIGNATURE_MISMATCH":
      return err.code;
    default: {
      const never: never = err.code; // the union is exhaustive
      return never;
    }
  }
}
// @ts-expect-error: a builder's code, not a receiver's
export const badReceiveCode: ReceiveErrorCode = "INVALID_ROW";

// ---- options.signing on the event.

export const signed: WebhookEvent[] = [
  { action: "PROJECT_DELETED", organization: 1, instance: 12, options: { signing: { secret, id: "evt-42", timestamp: 1700000000 } } },
  { action: "PROJECT_DELETED", organization: 1, instance: 12, options: { signing: { secrets: { 3: secret } } } },
  { action: "PROJECT_DELETED", organization: 1, instance: 12, options: { bodyAs: "string", signing: { secret, secrets: { 3: secret, 4: secret } } } },
];
export const signing: SigningOptions = { secret };
export const unsigned: Warning["code"] = "UNSIGNED";
// @ts-expect-error: signing needs a secret or per-webhook secrets
export const noSecret: SigningOptions = { id: "evt-42" };
// @ts-expect-error: not a signing option
export const unknownOption: SigningOptions = { secret, tolerance: 300 };
// @ts-expect-error: the timestamp is seconds, a number
export const dateTimestamp: SigningOptions = { secret, timestamp: new Date() };
// @ts-expect-error: per-webhook secrets are keyed by webhook id
export const namedSecrets: SigningOptions = { secrets: { default: secret } };

// ---- parseWebhook's checkBody: false takes any JSON (a custom emit's payload).

export const anyJson: BodyJson = parseWebhook("[1, 123456789012345678901]", { checkBody: false });
export const checked: WebhookBody = parseWebhook('{"action": "TASKS_CREATED"}', { checkBody: true });
export const eitherForm: WebhookBody | BodyJson = parseWebhook("{}", { checkBody: Math.random() > 0.5 });
export const verifiedAny: BodyJson = verifyWebhook({ headers: nodeHeaders, body: "[]", secret, checkBody: false });
// @ts-expect-error: unchecked, the result is any JSON, not a WebhookBody
export const uncheckedBody: WebhookBody = parseWebhook("{}", { checkBody: false });
// @ts-expect-error: unchecked, the result is any JSON, not a WebhookBody
export const unverifiedBody: WebhookBody = verifyWebhook({ headers: nodeHeaders, body: "[]", secret, checkBody: false });
// @ts-expect-error: checkBody is true or false
parseWebhook("{}", { checkBody: "no" });

// ---- The options argument: settings kept apart from the event (a signing secret out of its text).

const event: WebhookEvent = { action: "PROJECT_DELETED", organization: 1, instance: 12 };
const bytesEvent: WebhookEvent<BodyBytes> = { ...event, options: { bodyAs: "bytes" } };
export const apart: Plan<string> = buildDeliveries(event, { signing: { secret }, ssrfProtection: false });
export const apartBytes: Plan<BodyBytes> = buildDeliveries(event, { bodyAs: "bytes" });
export const textToBytes: Plan<BodyBytes> = buildDeliveries('{"action": "PROJECT_DELETED", "organization": 1}', { bodyAs: "bytes" });
export const bytesToText: Plan<string> = buildDeliveries(bytesEvent, { bodyAs: "string" });
export const stillBytes: Plan<BodyBytes> = buildDeliveries(bytesEvent, { signing: { secret } });
export const noOptions: Plan<string> = buildDeliveries(event, null);
export const batchesApart: BatchIterator<BodyBytes> = planBatches(event, { bodyAs: "bytes", batchSize: 100 });
export const batchesSigned: BatchIterator<string> = planBatches(event, { signing: { secrets: { 3: secret } } });
// @ts-expect-error: bodyAs "bytes" in the options argument makes every body bytes
export const notText: Plan<string> = buildDeliveries(event, { bodyAs: "bytes" });
// @ts-expect-error: not an option
buildDeliveries(event, { batchsize: 10 });
// @ts-expect-error: the options argument is an object
buildDeliveries(event, "bytes");
// @ts-expect-error: signing needs a secret, in the options argument too
planBatches(event, { signing: { id: "evt-1" } });

// ---- signWebhook: a delivery signed anew when it is finally sent.

export const resigned: SignatureHeaders = signWebhook({ id: "evt-42_3_0", body: '{"action": "TASKS_CREATED"}', secret });
export const resignedBytes: { [name: string]: string } = { ...apart.deliveries[0]?.headers, ...signWebhook({ id: "msg_1", body: new Uint8Array(0), secret, timestamp: 1700000000 }) };
export const signatureHeader: string = resigned["webhook-signature"];
// @ts-expect-error: the id is required (keep the delivery's own)
signWebhook({ body: "{}", secret });
// @ts-expect-error: the timestamp is seconds, a number
signWebhook({ id: "msg_1", body: "{}", secret, timestamp: new Date() });
