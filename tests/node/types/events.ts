// The event types per action (issue 16): `tsc --noEmit --strict` over this file is the test
// (tests/node/types.test.mjs). Each @ts-expect-error line must be an error: were a row type
// loose again (an index signature, a catch-all member), the directive would be unused, which
// tsc reports as an error. Everything else is a correct event and must compile.
import { buildDeliveries, planBatches } from "ls-webhooks";
import type {
  ActionEvent, ActionName, AnnotationRow, BatchIterator, BodyBytes, IdRow, InstanceByAction, LabelLinkRow, LabelRow,
  Options, Plan, ProjectRow, Row, TaskRow, Webhook, WebhookEvent,
} from "ls-webhooks";

const webhooks: Webhook[] = [{ id: 1, organization: 1, project: 12, url: "https://example.com/hook", send_payload: true,
  send_for_all_actions: true, headers: { Authorization: "Token x" }, is_active: true, actions: [],
  created_at: "2026-11-26T09:12:03+00:00", updated_at: new Date() }];

// ---- Correct rows: BigInt ids, decimal-string ints, Date datetimes, nulls, both FK spellings.

export const project: ProjectRow = {
  id: 12n, task_number: "3", finished_task_number: 1, title: "Reviews", description: null, label_config: "<View/>",
  parsed_label_config: { sentiment: { type: "Choices", to_name: ["text"] } }, label_config_hash: "8755930484223552274",
  show_instruction: false, show_skip_button: true, enable_empty_annotation: true, reveal_preannotations_interactively: false,
  show_annotation_history: false, show_collab_predictions: true, evaluate_predictions_automatically: false, token: null,
  result_count: 0n, color: "#FFFFFF", maximum_annotations: 1, min_annotations_to_start_training: 0, control_weights: {},
  model_version: "", data_types: { text: "Text" }, is_draft: false, is_published: false, created_at: new Date(),
  updated_at: "2026-11-26T09:40:51.503210+00:00", sampling: "Sequential sampling", skip_queue: "REQUEUE_FOR_OTHERS",
  show_ground_truth_first: false, annotator_evaluation_enabled: false, show_overlap_first: false,
  overlap_cohort_percentage: 100, pinned_at: null, custom_task_lock_ttl: null, organization_id: 1, created_by: { id: 1 },
  deleted_by_id: null,
};

export const task: TaskRow = {
  id: "9007199254740993", data: { text: "flaky and warm", score: 0.5, tags: ["a", null] }, meta: null,
  created_at: new Date(), updated_at: "2026-11-26T23:17:32", is_labeled: false, allow_skip: true, overlap: "1",
  inner_id: 1n, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, precomputed_agreement: 0.5,
  comment_count: 0, unresolved_comment_count: 0, last_comment_updated_at: null, project: 12, updated_by_id: null,
  file_upload: { id: 3 }, comment_authors: [1, 2n, "3", { id: 4 }],
};

export const annotation: AnnotationRow = {
  id: 17, result: [{ type: "choices", value: { choices: ["Positive"] } }], was_cancelled: false, ground_truth: false,
  created_at: new Date(), updated_at: new Date(), draft_created_at: null, lead_time: 12.5, result_count: "1",
  unique_id: "4f1c2a9e-6a41-4b57-9d0e-2b7b2f1f8c11", task, project_id: 12n, completed_by: 1, parent_annotation: null,
};

export const link: LabelLinkRow = { id: 9, from_name: "sentiment", project_id: 12, label: 5, label_id: 5 };

export const label: LabelRow = {
  id: 5, links: [9], created_at: new Date(), updated_at: new Date(), value: { choices: ["Positive"] }, title: "Positive",
  approved: true, created_by_id: 1, organization: { id: 1 }, projects: [12],
};

// ---- Correct events, one or more per action.

export const projectCreated: WebhookEvent = { action: "PROJECT_CREATED", organization: 1, project: null, instance: project, webhooks };
export const projectUpdated: WebhookEvent = { action: "PROJECT_UPDATED", organization: { id: 1 }, project, instance: project };
export const projectDeleted: WebhookEvent = { action: "PROJECT_DELETED", organization: 1n, instance: { id: 12 } };
export const projectDeletedById: WebhookEvent = { action: "PROJECT_DELETED", organization: 1, instance: 12 };
export const tasksCreated: WebhookEvent = {
  action: "TASKS_CREATED", organization: 1, project, webhooks, options: { batchSize: 100, ssrfProtection: false },
  instance: [task, {
    id: 42n, data: { text: "second" }, created_at: new Date(), updated_at: new Date(0), is_labeled: true, overlap: 1,
    total_annotations: "18446744073709551616", cancelled_annotations: 0, total_predictions: 0, comment_count: 0,
    unresolved_comment_count: 0, project_id: "12", comment_authors: [],
  }],
};
// Ids, {id} rows, and whole rows held in variables: only the id is read.
export const tasksDeleted: WebhookEvent = { action: "TASKS_DELETED", organization: 1, project, instance: [1, 2n, { id: "3" }, { id: 4n }, task] };
export const annotationCreated: WebhookEvent = { action: "ANNOTATION_CREATED", organization: 1, project, instance: annotation };
export const annotationsCreated: WebhookEvent = {
  action: "ANNOTATIONS_CREATED", organization: 1, project,
  instance: [annotation, { ...annotation, id: 18n, task: { ...task, id: 43 } }],
};
export const annotationUpdated: WebhookEvent = {
  action: "ANNOTATION_UPDATED", organization: 1, project,
  instance: {
    id: 17, was_cancelled: false, ground_truth: false, created_at: new Date(), updated_at: new Date(), result_count: 1,
    task_id: 41, project: 12, task: {
      id: 41, data: {}, created_at: "2026-11-26T23:17:32+02:00", updated_at: new Date(), is_labeled: true, overlap: 1,
      total_annotations: 1, cancelled_annotations: 0, total_predictions: 0, comment_count: 0, unresolved_comment_count: 0,
      comment_authors: [],
    },
  },
};
export const annotationsDeleted: WebhookEvent = { action: "ANNOTATIONS_DELETED", organization: 1, project, instance: [annotation, 18] };
export const labelLinksCreated: WebhookEvent = {
  action: "LABEL_LINK_CREATED", organization: 1, project,
  instance: [link, { id: 10, from_name: "x", project, label }, { id: 11, from_name: "y", project_id: 12n, label_id: "5" }],
};
export const labelLinkUpdated: WebhookEvent = {
  action: "LABEL_LINK_UPDATED", organization: 1, project, instance: { id: 9, from_name: "sentiment", project_id: 12, label },
};
export const labelLinkDeleted: WebhookEvent = { action: "LABEL_LINK_DELETED", organization: 1, project, instance: { id: 9 } };
// No instance (the body is the action alone), or null.
export const noInstance: WebhookEvent = { action: "TASKS_CREATED", organization: 1, project, instance: null };
export const bare: WebhookEvent = { action: "ANNOTATION_CREATED", organization: 1 };
// A custom emit (`emit_webhooks`): any JSON payload, with or without a project.
export const custom: WebhookEvent = {
  action: "TASKS_CREATED", organization: 1, project, webhooks,
  payload: { tasks: [{ id: 1, data: { text: "x" } }], note: "imported", count: 2, nested: { ok: true, none: null } },
};
export const customOrg: WebhookEvent = { action: "PROJECT_DELETED", organization: 1, payload: { project: { id: 12 } }, instance: null };

// Rows held in variables may carry extra columns (an ORM's, a query's): only literals are checked.
const dbTask = { ...task, id: 44, tenant_id: 7, _loaded_at: new Date(), search_vector: "x" };
const dbAnnotation = { ...annotation, task: dbTask, deleted: false, revision: 3 };
const dbProject = { ...project, workspace_id: 2, _score: 0.1 };
const dbLabelLink = { id: 11, from_name: "sentiment", project_id: 12, label: { ...label, color: "red" }, label_id: 5, cached: true };
const dbWebhook = { id: 2, organization: 1, url: "https://example.com/2", organization_id: 1, secret_version: 3 };
export const withExtras: WebhookEvent[] = [
  { action: "TASKS_CREATED", organization: 1, project: dbProject, instance: [dbTask, task], webhooks: [dbWebhook] },
  { action: "ANNOTATION_CREATED", organization: 1, project: dbProject, instance: dbAnnotation },
  { action: "LABEL_LINK_UPDATED", organization: 1, project: dbProject, instance: dbLabelLink },
  { action: "PROJECT_UPDATED", organization: 1, project: dbProject, instance: dbProject },
];
// A class instance (an ORM model) with getters and other members.
class TaskModel {
  constructor(private readonly raw: TaskRow) {}
  get id() { return this.raw.id; }
  get data() { return this.raw.data; }
  get created_at() { return new Date(); }
  get updated_at() { return new Date(); }
  is_labeled = false; overlap = 1; total_annotations = 0; cancelled_annotations = 0; total_predictions = 0;
  comment_count = 0; unresolved_comment_count = 0; comment_authors: number[] = [];
  save(): void {}
}
export const fromModels: WebhookEvent = { action: "TASKS_CREATED", organization: 1, project, instance: [new TaskModel(task)] };
// Readonly lists.
const frozen = [task, dbTask] as const;
export const fromFrozen: WebhookEvent = { action: "TASKS_CREATED", organization: 1, project, instance: frozen };
// The per-action types.
export const typed: ActionEvent<"TASKS_DELETED"> = { action: "TASKS_DELETED", organization: 1, instance: [1, 2] };
export const instances: InstanceByAction["ANNOTATIONS_CREATED"] = [annotation];
export const rows: Row[] = [task, annotation, project, { id: 9, from_name: "x", label: 5, project_id: 12 }, 7, { id: 1 }];
export const idRows: IdRow[] = [1, 2n, { id: "3" }, task];
// An action known only at run time, with no rows: every action takes that.
export function actionOnly(action: ActionName): Plan<string> {
  const ev: WebhookEvent = { action, organization: 1, webhooks };
  return buildDeliveries(ev);
}
// Reading an event: narrow on the action, then on instance or payload.
export function rowCount(ev: WebhookEvent): number {
  if (ev.action === "TASKS_CREATED" && "instance" in ev && ev.instance) {
    const first: TaskRow | undefined = ev.instance[0];
    return first ? ev.instance.length : 0;
  }
  if ("payload" in ev && ev.payload) return Object.keys(ev.payload).length;
  return 0;
}
// A custom emit of an action known only at run time.
export function emit(action: ActionName, payload: { [key: string]: string }): WebhookEvent {
  return { action, organization: 1, payload, webhooks };
}

// ---- Inline rows with mistakes: each fails to compile. Each bad call has a twin without the
// mistake that compiles, so the directive cannot be met by some other error.

// The task fields but `is_labeled`, `created_at` and `data`, for the pairs below.
const rest = {
  id: 1, updated_at: new Date(), overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0,
  comment_count: 0, unresolved_comment_count: 0, comment_authors: [],
};
// (Written so the mistake is on the call's first line: tsc reports an unknown field where it is written.)
buildDeliveries({ action: "TASKS_CREATED", organization: 1, instance: [{ is_labeled: true, data: { text: "x" }, created_at: new Date(),
  id: 1, updated_at: new Date(), overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, comment_count: 0,
  unresolved_comment_count: 0, comment_authors: [] }], project, webhooks });
// @ts-expect-error: is_labeled is a boolean
buildDeliveries({ action: "TASKS_CREATED", organization: 1, instance: [{ is_labeled: "no", data: { text: "x" }, created_at: new Date(),
  id: 1, updated_at: new Date(), overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, comment_count: 0,
  unresolved_comment_count: 0, comment_authors: [] }], project, webhooks });
// @ts-expect-error: created_at is required
buildDeliveries({ action: "TASKS_CREATED", organization: 1, instance: [{ is_labeled: true, data: { text: "x" },
  id: 1, updated_at: new Date(), overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, comment_count: 0,
  unresolved_comment_count: 0, comment_authors: [] }], project, webhooks });
// @ts-expect-error: a typo (`data` is meant)
buildDeliveries({ action: "TASKS_CREATED", organization: 1, instance: [{ is_labeled: true, dat: { text: "x" }, created_at: new Date(),
  id: 1, updated_at: new Date(), overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0, comment_count: 0,
  unresolved_comment_count: 0, comment_authors: [] }], project, webhooks });
// The same as declared events (tsc reports these on the line of the literal).
export const good: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, created_at: new Date(), is_labeled: false }] };
// @ts-expect-error: is_labeled is a boolean
export const notBoolean: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, created_at: new Date(), is_labeled: "no" }] };
// @ts-expect-error: created_at is required
export const noCreatedAt: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, is_labeled: false }] };
// @ts-expect-error: a typo (`data` is meant)
export const typoDat: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, dat: {}, created_at: new Date(), is_labeled: false }] };
// @ts-expect-error: a typo of an optional field (`meta`): the excess-property check alone catches it
export const typoMeta: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, created_at: new Date(), is_labeled: false, metta: {} }] };
export const withMeta: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, created_at: new Date(), is_labeled: false, meta: {} }] };
// With the per-action type, tsc's message names the field (`is_labeled`: string is not boolean).
// @ts-expect-error: is_labeled is a boolean
export const precise: ActionEvent<"TASKS_CREATED"> = { action: "TASKS_CREATED", organization: 1, instance: [{ ...rest, data: {}, created_at: new Date(), is_labeled: "no" }] };

// A typo in a row spread into a literal: the written fields are checked.
// @ts-expect-error: `is_labelled` is not a task field
export const typoAfterSpread: TaskRow = { ...task, is_labelled: true };
// @ts-expect-error: a datetime is ISO text or a Date
export const badDate: TaskRow = { ...task, created_at: 1764198000000 };
// @ts-expect-error: an id is a number, a BigInt or a string of decimal digits
export const badId: TaskRow = { ...task, id: "task-41" };
// @ts-expect-error: an int column takes no float-looking text either
export const badInt: ProjectRow = { ...project, result_count: "1.5" };
// @ts-expect-error: a bare id for the *_DELETED actions is a number or a BigInt (the runtime refuses a string)
export const badIdRow: IdRow = "7";
// @ts-expect-error: a {id} row written inline has no other fields (`titel` is a typo)
export const badIdTypo: WebhookEvent = { action: "PROJECT_DELETED", organization: 1, instance: { id: 12, titel: "x" } };
// @ts-expect-error: in a webhook too (`send_payload` is meant)
export const badWebhook: Webhook = { id: 1, url: "https://example.com/", send_paylod: false };

// ---- The instance follows the action.

// @ts-expect-error: TASKS_CREATED takes a list of tasks, not one
export const oneTask: WebhookEvent = { action: "TASKS_CREATED", organization: 1, project, instance: task };
// @ts-expect-error: TASKS_CREATED takes tasks, not annotations
export const annotationsAsTasks: WebhookEvent = { action: "TASKS_CREATED", organization: 1, project, instance: [annotation] };
// @ts-expect-error: ANNOTATION_CREATED takes one annotation, not a list
export const annotationList: WebhookEvent = { action: "ANNOTATION_CREATED", organization: 1, project, instance: [annotation] };
// @ts-expect-error: ANNOTATIONS_CREATED takes a list
export const oneOfMany: WebhookEvent = { action: "ANNOTATIONS_CREATED", organization: 1, project, instance: annotation };
// @ts-expect-error: the annotation's task is nested in the body: the full task row, not its id
export const taskById: WebhookEvent = { action: "ANNOTATION_CREATED", organization: 1, project, instance: { ...annotation, task: 41 } };
// @ts-expect-error: ... and not left out
export const noTask: AnnotationRow = { id: 1, was_cancelled: false, ground_truth: false, created_at: new Date(), updated_at: new Date(), result_count: 0, task_id: 41 };
export const nestedTypo: WebhookEvent = {
  action: "ANNOTATION_UPDATED", organization: 1, project,
  // @ts-expect-error: a typo inside the nested task row
  instance: { ...annotation, task: { ...task, is_labelled: true } },
};
// @ts-expect-error: LABEL_LINK_UPDATED nests the label: the full label row, not its id
export const labelById: WebhookEvent = { action: "LABEL_LINK_UPDATED", organization: 1, project, instance: { id: 9, from_name: "x", project_id: 12, label: 5 } };
// @ts-expect-error: LABEL_LINK_CREATED takes a list
export const oneLink: WebhookEvent = { action: "LABEL_LINK_CREATED", organization: 1, project, instance: { id: 9, from_name: "x", project_id: 12, label: 5 } };
// @ts-expect-error: LABEL_LINK_DELETED takes one id row, not a list
export const linkList: WebhookEvent = { action: "LABEL_LINK_DELETED", organization: 1, project, instance: [{ id: 9 }] };
// @ts-expect-error: TASKS_DELETED takes ids, and "7" is not one (the runtime refuses it)
export const stringIds: WebhookEvent = { action: "TASKS_DELETED", organization: 1, project, instance: ["7"] };
// @ts-expect-error: PROJECT_UPDATED takes the project row
export const projectAsTask: WebhookEvent = { action: "PROJECT_UPDATED", organization: 1, project, instance: task };
// @ts-expect-error: PROJECT_CREATED is organization-only: no project
export const orgOnly: WebhookEvent = { action: "PROJECT_CREATED", organization: 1, project, instance: project };
// @ts-expect-error: a payload is an object
export const payloadText: WebhookEvent = { action: "TASKS_CREATED", organization: 1, payload: "tasks" };
// @ts-expect-error: an unknown event field (the runtime refuses it too)
export const unknownField: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instances: [task] };
// @ts-expect-error: a wrong value in a row spread into a call's literal
buildDeliveries({ action: "TASKS_CREATED", organization: 1, instance: [{ ...task, is_labeled: "no" }] });
// @ts-expect-error: planBatches checks the same
planBatches({ action: "ANNOTATION_CREATED", organization: 1, instance: { ...annotation, task: 41 } });

// ---- Body types follow options.bodyAs.

const event: WebhookEvent = tasksCreated;
// A WebhookEvent (bodyAs absent or "string"): string bodies.
const plan = buildDeliveries(event);
export const body: string | undefined = plan.deliveries[0]?.body;
export const samePlan: Plan<string> = buildDeliveries(event);
// @ts-expect-error: not bytes
export const notBytes: BodyBytes | undefined = plan.deliveries[0]?.body;
const iterator: BatchIterator<string> = planBatches(event);
for (const step of iterator) for (const d of step.deliveries) JSON.parse(d.body);
// Inline bodyAs "bytes", or an event typed WebhookEvent<BodyBytes>: bytes.
export const bytesPlan: Plan<BodyBytes> = buildDeliveries({ ...event, options: { bodyAs: "bytes" } });
const bytesEvent: WebhookEvent<BodyBytes> = { ...tasksDeleted, options: { bodyAs: "bytes", batchSize: 10 } };
export const size: number = buildDeliveries(bytesEvent).deliveries.reduce((n, d) => n + d.body.byteLength, 0);
export const bytesBatches: BatchIterator<BodyBytes> = planBatches(bytesEvent);
// @ts-expect-error: a bytes event gives no string bodies
export const notStrings: Plan<string> = buildDeliveries(bytesEvent);
// @ts-expect-error: WebhookEvent<BodyBytes> needs bodyAs "bytes"
export const bytesWithout: WebhookEvent<BodyBytes> = { action: "TASKS_CREATED", organization: 1, instance: [task] };
// @ts-expect-error: a plain WebhookEvent gives string bodies, so it cannot ask for bytes: type it WebhookEvent<BodyBytes>
export const bytesInPlain: WebhookEvent = { action: "TASKS_CREATED", organization: 1, instance: [task], options: { bodyAs: "bytes" } };
// Options only known at run time: WebhookEvent<string | BodyBytes>, and either body.
export function either(options: Options): Plan {
  const ev: WebhookEvent<string | BodyBytes> = { action: "TASKS_CREATED", organization: 1, instance: [task], options };
  const p = buildDeliveries(ev);
  const b: string | BodyBytes | undefined = p.deliveries[0]?.body;
  // @ts-expect-error: maybe bytes
  const s: string | undefined = p.deliveries[0]?.body;
  return b === s ? p : p;
}
// An any (JSON.parse's, say) takes the first overload: string bodies, the default.
export const fromAny: Plan<string> = buildDeliveries(JSON.parse("{}"));
// Text and bytes: the body type is not known.
const fromText = buildDeliveries(JSON.stringify({ action: "TASKS_DELETED", organization: 1 }));
export const textBody: string | BodyBytes | undefined = fromText.deliveries[0]?.body;
// @ts-expect-error: maybe bytes
export const textNotString: string | undefined = fromText.deliveries[0]?.body;
export const fromBytes: Plan = buildDeliveries(new TextEncoder().encode("{}"));
export const fromBuffer: Plan = buildDeliveries(new ArrayBuffer(2));
export const fromView: BatchIterator = planBatches(new DataView(new ArrayBuffer(2)));

