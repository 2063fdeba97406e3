// A straightforward pure-JavaScript peer of the TASKS_CREATED payload, the way
// one would write it without this library: JSON.parse the event, put each row's
// fields in serializer order, format the dates, JSON.stringify, then turn the
// text into Python's json.dumps form (", " and ": " separators, ensure_ascii).
//
// It is only exact for events without what JSON.parse loses (ints past 2^53,
// integral floats inside JSON fields); bench/run.mjs checks it byte for byte on
// the benchmark event before timing it.

export const TASK_FIELDS = [
  "id", "data", "meta", "created_at", "updated_at", "is_labeled", "allow_skip", "overlap", "inner_id",
  "total_annotations", "cancelled_annotations", "total_predictions", "precomputed_agreement", "comment_count",
  "unresolved_comment_count", "last_comment_updated_at", "project", "updated_by", "file_upload", "comment_authors",
];
export const PROJECT_FIELDS = [
  "id", "task_number", "finished_task_number", "total_predictions_number", "total_annotations_number",
  "num_tasks_with_annotations", "useful_annotation_number", "ground_truth_number", "skipped_annotations_number",
  "title", "description", "label_config", "parsed_label_config", "label_config_hash", "expert_instruction",
  "show_instruction", "show_skip_button", "enable_empty_annotation", "reveal_preannotations_interactively",
  "show_annotation_history", "show_collab_predictions", "evaluate_predictions_automatically", "token", "result_count",
  "color", "maximum_annotations", "min_annotations_to_start_training", "control_weights", "model_version", "data_types",
  "is_draft", "is_published", "created_at", "updated_at", "sampling", "skip_queue", "show_ground_truth_first",
  "annotator_evaluation_enabled", "show_overlap_first", "overlap_cohort_percentage", "task_data_login",
  "task_data_password", "pinned_at", "custom_task_lock_ttl", "deleted_at", "purge_at", "search_vector",
  "organization", "created_by", "deleted_by",
];
const DATES = new Set(["created_at", "updated_at", "last_comment_updated_at", "pinned_at", "deleted_at", "purge_at"]);
const FKS = new Set(["project", "updated_by", "file_upload", "organization", "created_by", "deleted_by"]);

/** DRF's datetime: UTC, microseconds kept, `Z`, no fraction when it is zero. */
function drfDate(text) {
  if (text == null) return null;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  const d = new Date(`${m[1]}${m[3]}`);
  const micros = (m[2] || "").padEnd(6, "0").slice(0, 6);
  const base = d.toISOString().slice(0, 19);
  return micros === "000000" ? `${base}Z` : `${base}.${micros}Z`;
}

function ordered(row, fields) {
  const out = {};
  for (const f of fields) {
    if (FKS.has(f)) {
      const v = row[f] !== undefined ? row[f] : row[`${f}_id`];
      out[f] = v && typeof v === "object" ? v.id : v ?? null;
    } else if (DATES.has(f)) out[f] = drfDate(row[f]);
    else out[f] = row[f] === undefined ? null : row[f];
  }
  return out;
}

// Python's separators, outside strings only.
const TOKENS = /"(?:[^"\\]|\\.)*"|[,:]/g;
// ensure_ascii: every UTF-16 unit outside ' '..'~' (JSON.stringify already escaped the controls).
const NON_ASCII = /[\u007f-\uffff]/g;

function pythonText(value) {
  return JSON.stringify(value)
    .replace(TOKENS, (t) => (t === "," ? ", " : t === ":" ? ": " : t))
    .replace(NON_ASCII, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** The body Label Studio sends to a payload target for this TASKS_CREATED event. */
export function peerBody(eventText) {
  const event = JSON.parse(eventText);
  const payload = {
    action: event.action,
    tasks: event.instance.map((t) => ordered(t, TASK_FIELDS)),
    project: ordered(event.project, PROJECT_FIELDS),
  };
  return pythonText(payload);
}
