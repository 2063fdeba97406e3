// The bodies a receiver gets (WebhookBody and its parts), generated from the tables by
// `node scripts/gen-docs.js` into js/bodies.d.ts, shipped beside this file as bodies.d.ts.
import type { BodyJson, WebhookBody } from "./bodies.js";
export * from "./bodies.js";

/** The 12 webhook actions of Label Studio 1.23.2. */
export type ActionName =
  | "PROJECT_CREATED" | "PROJECT_UPDATED" | "PROJECT_DELETED"
  | "TASKS_CREATED" | "TASKS_DELETED"
  | "ANNOTATION_CREATED" | "ANNOTATIONS_CREATED" | "ANNOTATION_UPDATED" | "ANNOTATIONS_DELETED"
  | "LABEL_LINK_CREATED" | "LABEL_LINK_UPDATED" | "LABEL_LINK_DELETED";

/** Codes of the errors `buildDeliveries` and `planBatches` throw. */
export type ErrorCode = "UNKNOWN_ACTION" | "ORGANIZATION_ONLY_ACTION" | "INVALID_EVENT" | "INVALID_ROW";

/** Why a matching webhook gets no delivery. */
export type SkipReason = "INVALID_URL" | "UNRESOLVABLE_HOST" | "SSRF_BLOCKED" | "INVALID_HEADER" | "INVALID_WEBHOOK";

/** Any JSON value (JSON fields such as task `data` are passed through). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An id: a number, a BigInt past 2^53, or a decimal string (node-postgres gives int8 as text). */
export type Id = number | bigint | `${bigint}`;
export type Related<R> = Id | R | null;
/** ISO 8601 text with any offset, or a Date. */
export type DateTime = string | Date;
/** An int column: a number, a BigInt past 2^53, or a decimal string (rendered as DRF's int(value)). */
export type Int = number | bigint | `${bigint}`;

/*
 * The row types name every field of their serializer (and every foreign key's column), and
 * nothing else: an object literal with a misspelt or unknown field is an error (TypeScript's
 * excess-property check), as is a wrong value or a missing required field. A row held in a
 * variable (an ORM model, a query result) may carry extra columns: only the literal is checked.
 * A field that may be left out is optional (`?`): it renders null, or, for the declared
 * read-only counts, is left out of the body.
 */

/** A Project row (`ProjectWebhookSerializer`). Foreign keys may also be named `organization_id`, ... */
export interface ProjectRow {
  id: Id;
  task_number?: Int; finished_task_number?: Int; total_predictions_number?: Int; total_annotations_number?: Int;
  num_tasks_with_annotations?: Int; useful_annotation_number?: Int; ground_truth_number?: Int; skipped_annotations_number?: Int;
  title?: string | null; description?: string | null; label_config?: string | null; parsed_label_config?: Json;
  label_config_hash?: Int | null; expert_instruction?: string | null;
  show_instruction: boolean; show_skip_button: boolean; enable_empty_annotation: boolean;
  reveal_preannotations_interactively: boolean; show_annotation_history: boolean; show_collab_predictions: boolean;
  evaluate_predictions_automatically: boolean; token?: string | null; result_count: Int; color?: string | null;
  maximum_annotations: Int; min_annotations_to_start_training: Int; control_weights?: Json; model_version?: string | null;
  data_types?: Json; is_draft: boolean; is_published: boolean; created_at: DateTime; updated_at: DateTime;
  sampling?: string | null; skip_queue?: string | null; show_ground_truth_first: boolean;
  annotator_evaluation_enabled: boolean; show_overlap_first: boolean; overlap_cohort_percentage: Int;
  task_data_login?: string | null; task_data_password?: string | null; pinned_at?: DateTime | null;
  custom_task_lock_ttl?: Int | null; deleted_at?: DateTime | null; purge_at?: DateTime | null; search_vector?: string | null;
  organization?: Related<{ id: Id }>; organization_id?: Id | null;
  created_by?: Related<{ id: Id }>; created_by_id?: Id | null;
  deleted_by?: Related<{ id: Id }>; deleted_by_id?: Id | null;
}

/** A Task row (`TaskWebhookSerializer`). */
export interface TaskRow {
  id: Id; data: Json; meta?: Json; created_at: DateTime; updated_at: DateTime; is_labeled: boolean;
  allow_skip?: boolean | null; overlap: Int; inner_id?: Int | null; total_annotations: Int; cancelled_annotations: Int;
  total_predictions: Int; precomputed_agreement?: number | null; comment_count: Int; unresolved_comment_count: Int;
  last_comment_updated_at?: DateTime | null;
  project?: Related<ProjectRow>; project_id?: Id | null;
  updated_by?: Related<{ id: Id }>; updated_by_id?: Id | null;
  file_upload?: Related<{ id: Id }>; file_upload_id?: Id | null;
  comment_authors: Array<Id | { id: Id }>;
}

/**
 * An Annotation row (`AnnotationWebhookSerializer`). Every action that renders annotations
 * (ANNOTATION_CREATED, ANNOTATIONS_CREATED, ANNOTATION_UPDATED) nests the task next to them:
 * `task` is the full task row (an id alone is an `INVALID_ROW`).
 */
export interface AnnotationRow {
  id: Id; result?: Json; was_cancelled: boolean; ground_truth: boolean; created_at: DateTime; updated_at: DateTime;
  draft_created_at?: DateTime | null; lead_time?: number | null; prediction?: Json; result_count: Int;
  unique_id?: string | null; import_id?: Int | null; last_action?: string | null; bulk_created?: boolean | null;
  task: TaskRow; task_id?: Id | null; project?: Related<ProjectRow>; project_id?: Id | null;
  completed_by?: Related<{ id: Id }>; completed_by_id?: Id | null; updated_by?: Related<{ id: Id }>; updated_by_id?: Id | null;
  parent_prediction?: Related<{ id: Id }>; parent_prediction_id?: Id | null;
  parent_annotation?: Related<{ id: Id }>; parent_annotation_id?: Id | null;
  last_created_by?: Related<{ id: Id }>; last_created_by_id?: Id | null;
}

/** A Label row (`LabelSerializer`), nested in LABEL_LINK_UPDATED. */
export interface LabelRow {
  id: Id; links: Array<Id | { id: Id }>; created_at: DateTime; updated_at: DateTime; value: Json; title: string;
  description?: string | null; approved: boolean; created_by?: Related<{ id: Id }>; created_by_id?: Id;
  approved_by?: Related<{ id: Id }>; approved_by_id?: Id | null; organization?: Related<{ id: Id }>; organization_id?: Id;
  projects: Array<Id | { id: Id }>;
}

/** A LabelLink row (`LabelLinkSerializer`). `label` may be an id, except in LABEL_LINK_UPDATED (see LabelLinkWithLabelRow). */
export interface LabelLinkRow {
  id: Id; annotations_count?: Int; from_name: string;
  project?: Related<ProjectRow>; project_id?: Id; label?: Related<LabelRow>; label_id?: Id;
}

/** A LabelLink row with its full label row, as LABEL_LINK_UPDATED nests it. */
export interface LabelLinkWithLabelRow extends LabelLinkRow {
  label: LabelRow;
}

/**
 * The rows `OnlyIDWebhookSerializer` takes (the *_DELETED actions): a bare id (a number or a
 * BigInt), or `{id}`; only the id is read, so any row held in a variable will do too.
 */
export type IdRow = number | bigint | { id: Id };

/** Any row of an instance. */
export type Row = ProjectRow | TaskRow | AnnotationRow | LabelLinkRow | IdRow;

/** A webhook as Label Studio's `/api/webhooks/` lists it. */
export interface Webhook {
  id: Id;
  organization?: Id;
  project?: Id | null;
  url: string;
  send_payload?: boolean;
  send_for_all_actions?: boolean;
  headers?: { [name: string]: string | null };
  is_active?: boolean;
  actions?: ActionName[];
  /** Listed by the API; not read. Any other field in an object literal is an error (a typo such as `send_paylod`). */
  created_at?: DateTime;
  updated_at?: DateTime;
}

export interface Options {
  /** Label Studio's WEBHOOK_BATCH_SIZE (default 5000). */
  batchSize?: number;
  /** "bytes" gives each body as a UTF-8 Uint8Array. Default "string". */
  bodyAs?: "string" | "bytes";
  /**
   * Label Studio's SSRF_PROTECTION_ENABLED (default true): a URL whose host is a reserved
   * address, as Label Studio or as `fetch` reads it (numeric forms, IDNA mapping, localhost),
   * is skipped. Host names are resolved and checked at send time (`ls-webhooks/safe-fetch`).
   */
  ssrfProtection?: boolean;
  /**
   * This package's extension, not Label Studio's: sign every delivery with Standard Webhooks
   * (`webhook-id`, `webhook-timestamp`, `webhook-signature` after Label Studio's headers; the body
   * unchanged). Off by default. See docs/events.md, "Signing". Keep the secret out of the event text:
   * give it in the options argument, `buildDeliveries(event, { signing: { secret } })`.
   */
  signing?: SigningOptions;
}

/** The secrets of `options.signing`: one for every target, per-webhook ones, or both (at least one). */
export type SigningSecrets =
  | { secret: string; secrets?: SigningSecretsByWebhook }
  | { secret?: string; secrets: SigningSecretsByWebhook };

/** Per-webhook secrets by webhook id (`{ 3: "whsec_..." }`): preferred over `secret` for that webhook. */
export type SigningSecretsByWebhook = { [webhookId: number]: string };

/**
 * `options.signing`. A target with no secret is sent unsigned (plan warning `UNSIGNED`); a signed target
 * whose webhook has its own `webhook-*` header is skipped as `INVALID_HEADER`.
 */
export type SigningOptions = SigningSecrets & {
  /**
   * The host's id for the event, 1 to 200 of `A-Z a-z 0-9 _ . : -`: each `webhook-id` is then
   * `{id}_{webhookId}_{batch}`. Without it, `msg_` and 32 hex digits derived from the action, the
   * webhook, the batch and the body (the same event built again gets the same ids).
   */
  id?: string;
  /** A fixed `webhook-timestamp`, whole seconds since the Unix epoch. Default: the clock when a batch is built. */
  timestamp?: number;
};

/** Options of an event whose bodies are strings (the default): `bodyAs` absent or "string". */
export interface StringBodyOptions extends Options {
  bodyAs?: "string";
}

/** Options of an event whose bodies are UTF-8 bytes. */
export interface BytesBodyOptions extends Options {
  bodyAs: "bytes";
}

/** The actions only organization webhooks get: their event has no `project`. */
export type OrganizationOnlyAction = "PROJECT_CREATED" | "PROJECT_DELETED";

/**
 * What `instance` is for each action, after `WebhookAction.ACTIONS`: one row or a list (`many`),
 * of which serializer, with which nested rows (see `actions()`).
 */
export interface InstanceByAction {
  /** `project`: the project row. */
  PROJECT_CREATED: ProjectRow;
  /** `project`: the project row. */
  PROJECT_UPDATED: ProjectRow;
  /** `project`: `{id}`. */
  PROJECT_DELETED: IdRow;
  /** `tasks`: a list of task rows (sent in batches of `batchSize`). */
  TASKS_CREATED: readonly TaskRow[];
  /** `tasks`: a list of ids or `{id}`. */
  TASKS_DELETED: readonly IdRow[];
  /** `annotation` and `task`: the annotation row, its `task` the full task row. */
  ANNOTATION_CREATED: AnnotationRow;
  /** `annotation` and `task`: lists, each annotation's `task` the full task row. */
  ANNOTATIONS_CREATED: readonly AnnotationRow[];
  /** `annotation` and `task`: the annotation row, its `task` the full task row. */
  ANNOTATION_UPDATED: AnnotationRow;
  /** `annotations`: a list of ids or `{id}`. */
  ANNOTATIONS_DELETED: readonly IdRow[];
  /** `label_link`: a list of label link rows (`label` may be an id). */
  LABEL_LINK_CREATED: readonly LabelLinkRow[];
  /** `label_link` and `label`: the label link row, its `label` the full label row. */
  LABEL_LINK_UPDATED: LabelLinkWithLabelRow;
  /** `label_link`: `{id}`. */
  LABEL_LINK_DELETED: IdRow;
}

/** A custom emit's payload (`emit_webhooks(organization, project, action, payload)`), sent as it is. */
export type CustomPayload = { [key: string]: Json };

/** How the body type `B` of the plan fixes the event's options. */
export type BodyOptions<B extends string | BodyBytes> = [B] extends [BodyBytes] ? { options: BytesBodyOptions }
  : [B] extends [string] ? { options?: StringBodyOptions }
  : { options?: Options };

/** What every event has besides its rows and options. */
export interface EventEnvelope<A extends ActionName> {
  action: A;
  /** The organization id. */
  organization: Id | { id: Id };
  /** The project row (null or absent: only organization webhooks match). None for the organization-only actions. */
  project?: A extends OrganizationOnlyAction ? null : ProjectRow | null;
  webhooks?: Webhook[];
}

type Flat<T> = { [K in keyof T]: T[K] } & {};

/**
 * The event of one action: its rows as `instance` (absent or null: the body is the action
 * alone), or a custom emit's `payload` (not both: that throws `INVALID_EVENT`). `B` is the body
 * type the plan will have. Two members per action, one with `instance`, one with `payload`, so
 * that tsc's messages about a wrong row name the action's own row type; to read `instance` of
 * a WebhookEvent, narrow it first (`"instance" in event`).
 */
export type ActionEvent<A extends ActionName = ActionName, B extends string | BodyBytes = string> = A extends ActionName
  ? | Flat<EventEnvelope<A> & BodyOptions<B> & {
      /** The rows (see InstanceByAction), or null. */
      instance?: InstanceByAction[A] | null;
    }>
    | Flat<EventEnvelope<A> & BodyOptions<B> & {
      /** A custom emit (`emit_webhooks`): the payload object, sent as it is. */
      payload?: CustomPayload | null;
    }>
  : never;

/**
 * The event: what Label Studio knows when it emits. A union on `action`: `instance` takes that
 * action's rows (see InstanceByAction). `B` is the plan's body type: string by default, so
 * `options.bodyAs` is "string" or absent; `WebhookEvent<BodyBytes>` needs `bodyAs: "bytes"`;
 * `WebhookEvent<string | BodyBytes>` takes either (a plan with either body).
 */
export type WebhookEvent<B extends string | BodyBytes = string> = ActionEvent<ActionName, B>;

/** A body as UTF-8 bytes (`bodyAs: "bytes"`): a Uint8Array over its own ArrayBuffer, ready for `fetch`. */
export type BodyBytes = Uint8Array<ArrayBuffer>;

export interface Delivery<B = string | BodyBytes> {
  webhookId: number;
  url: string;
  method: "POST";
  headers: { [name: string]: string };
  /** The exact body: a string, or UTF-8 bytes with `bodyAs: "bytes"`. */
  body: B;
  /** Which batch (0-based) of a list instance this POST carries. */
  batch: number;
}

export interface Skipped {
  /** null only for an `INVALID_WEBHOOK` row whose id cannot be read. */
  webhookId: number | null;
  reason: SkipReason;
  message: string;
  /** `INVALID_WEBHOOK`: the offending field, e.g. "webhooks[2].project". */
  path?: string;
}

/** Why a configured webhook is not a target of the event. */
export type MissReason = "INACTIVE" | "OTHER_ORGANIZATION" | "ACTION_NOT_SELECTED" | "ORGANIZATION_ONLY_ACTION"
  | "NO_PROJECT" | "OTHER_PROJECT" | "DUPLICATE";

export interface Unmatched {
  webhookId: number;
  reason: MissReason;
  /** For people, e.g. "a webhook of project 14". */
  message: string;
}

export interface Warning {
  /** `UNSIGNED`: with `options.signing`, targets no secret covers (sent unsigned; the message names them). */
  code: "NO_INSTANCE" | "EMPTY_INSTANCE" | "NO_PROJECT" | "UNSIGNED";
  message: string;
}

export interface Plan<B = string | BodyBytes> {
  action: ActionName;
  /** Ids of the matching webhooks, in order. */
  targets: number[];
  /** Batch by batch, targets in order. */
  deliveries: Array<Delivery<B>>;
  skipped: Skipped[];
  /** The event's other webhooks, and why they are not targets (Label Studio says nothing of them). */
  unmatched: Unmatched[];
  /** Parts the event lacks, and what that does to the deliveries (Label Studio does the same, silently). */
  warnings: Warning[];
  /** The plan was made with SSRF protection on: send it through the send-time guard too. */
  ssrfProtection: boolean;
}

/** The errors thrown: an Error with a code and the path of the offending field. */
export interface WebhookError extends Error {
  code: ErrorCode;
  /** e.g. "instance[3].created_at"; "" for the whole event. */
  path: string;
  detail: string;
  /** Malformed JSON only: the UTF-8 byte offset of the error in the event's text. */
  offset?: number;
  /** Malformed JSON only: 1-based line and column (characters) of the error. */
  line?: number;
  column?: number;
}

export interface NestedField { key: string; serializer: SerializerName; many: boolean; }

export interface ActionInfo {
  action: ActionName;
  name: string;
  description: string;
  key: string;
  many: boolean;
  model: string;
  serializer: SerializerName;
  organizationOnly: boolean;
  projectField: string | null;
  nestedFields: NestedField[];
}

export type SerializerName = "project" | "task" | "annotation" | "label_link" | "label" | "only_id";
export type FieldKind = "int" | "float" | "bool" | "str" | "uuid" | "date_time" | "json" | "foreign_key" | "many_to_many";

export interface FieldInfo {
  name: string; kind: FieldKind; nullable: boolean;
  /** Declared on the serializer as read-only: rendered only when the row has it, never required. */
  declaredReadOnly: boolean;
  column?: string;
}
export interface SerializerInfo { id: SerializerName; class: string; model: string; fields: FieldInfo[]; }

/** JSON text or UTF-8 JSON bytes (the exact path), or an event object. */
export type EventInput = string | ArrayBuffer | ArrayBufferView | WebhookEvent<string | BodyBytes>;

/**
 * Every delivery Label Studio 1.23.2 would send for the event. An event object without
 * `bodyAs: "bytes"` (a WebhookEvent), and options that do not ask for bytes: every body is a string.
 * @param event An object, JSON text, or UTF-8 JSON bytes (exact).
 * @param options Options kept apart from the event (a host's settings, a signing secret): each one
 * given replaces the event's own `options` of that name.
 * @throws {WebhookError}
 */
export function buildDeliveries<A extends ActionName>(event: ActionEvent<A> & { action: A }, options?: StringBodyOptions | null): Plan<string>;
/** An event object with `options.bodyAs: "bytes"` that the options argument leaves so: every body is a BodyBytes. @throws {WebhookError} */
export function buildDeliveries<A extends ActionName>(event: ActionEvent<A, BodyBytes> & { action: A }, options?: (Options & { bodyAs?: "bytes" }) | null): Plan<BodyBytes>;
/** Any event, with the options argument's `bodyAs: "bytes"`: every body is a BodyBytes. @throws {WebhookError} */
export function buildDeliveries(event: EventInput, options: BytesBodyOptions): Plan<BodyBytes>;
/** Any event, with the options argument's `bodyAs: "string"`: every body is a string. @throws {WebhookError} */
export function buildDeliveries(event: EventInput, options: Options & { bodyAs: "string" }): Plan<string>;
/**
 * JSON text or UTF-8 JSON bytes (the exact path), or an event whose `bodyAs` is not known:
 * the body type follows `bodyAs` (the options argument's, else the event's). @throws {WebhookError}
 */
export function buildDeliveries(event: EventInput, options?: Options | null): Plan;
/** The action registry (`WebhookAction.ACTIONS`). */
export function actions(): ActionInfo[];
/** The serializers' field lists, in rendering order. */
export function serializers(): SerializerInfo[];
/** `json.dumps(json.loads(text), allow_nan=False)`, as CPython writes it. */
export function pythonJsonDumps(json: string): string;

/** One round of POSTs: every target's delivery for one batch. */
export interface BatchStep<B = string | BodyBytes> {
  batch: number;
  deliveries: Array<Delivery<B>>;
}

/**
 * The plan one batch at a time (see `planBatches`): iterable with `for...of`,
 * `next()` renders the next batch only.
 */
export interface BatchIterator<B = string | BodyBytes> extends IterableIterator<BatchStep<B>> {
  readonly action: ActionName;
  readonly targets: number[];
  readonly skipped: Skipped[];
  readonly unmatched: Unmatched[];
  readonly warnings: Warning[];
  readonly batchCount: number;
  /** The plan was made with SSRF protection on: send it through the send-time guard too. */
  readonly ssrfProtection: boolean;
  /** @throws {WebhookError} when a row of the next batch cannot be rendered. */
  next(): IteratorResult<BatchStep<B>, undefined>;
  /** Releases the event's memory now (it is also released after the last batch). */
  free(): void;
}

/**
 * The same deliveries as `buildDeliveries`, batch by batch, so a large import
 * never holds more than one batch of bodies. Envelope errors throw here. `options` as
 * `buildDeliveries` takes them.
 * @throws {WebhookError}
 */
export function planBatches<A extends ActionName>(event: ActionEvent<A> & { action: A }, options?: StringBodyOptions | null): BatchIterator<string>;
/** An event object with `options.bodyAs: "bytes"` that the options argument leaves so. @throws {WebhookError} */
export function planBatches<A extends ActionName>(event: ActionEvent<A, BodyBytes> & { action: A }, options?: (Options & { bodyAs?: "bytes" }) | null): BatchIterator<BodyBytes>;
/** Any event, with the options argument's `bodyAs: "bytes"`. @throws {WebhookError} */
export function planBatches(event: EventInput, options: BytesBodyOptions): BatchIterator<BodyBytes>;
/** Any event, with the options argument's `bodyAs: "string"`. @throws {WebhookError} */
export function planBatches(event: EventInput, options: Options & { bodyAs: "string" }): BatchIterator<string>;
/** JSON text or UTF-8 JSON bytes, or an event whose `bodyAs` is not known. @throws {WebhookError} */
export function planBatches(event: EventInput, options?: Options | null): BatchIterator;
/**
 * The reserved network (Label Studio's `validate_ip` list, e.g. "127.0.0.0/8") an address is
 * in, or null for a public address. For send-time guards: give it every address a host name
 * resolves to. @throws {TypeError} when `address` is not an IPv4 or IPv6 address.
 */
export function reservedBlock(address: string): string | null;
/**
 * Where an error's `path` (e.g. "instance[3].created_at") sits in the event's JSON text:
 * UTF-8 byte offsets of its value, or of its deepest existing parent (`exact` false).
 * Null when the text is not JSON or nothing on the path exists.
 */
export function locatePath(text: string, path: string): { start: number; end: number; exact: boolean } | null;
/** Size in bytes of the module's linear memory (it only grows: after a call, the peak that call needed). */
export function wasmMemoryBytes(): number;
