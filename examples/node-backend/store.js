// An in-memory store. Rows keep Label Studio's column names, as its database holds
// them, so they can go to buildDeliveries as they are.
import { randomUUID } from "node:crypto";

export function createStore({ organization = 1, user = 1 } = {}) {
  const projects = new Map(), tasks = new Map(), annotations = new Map(), webhooks = new Map();
  let lastId = 0;
  const nextId = () => ++lastId;
  const stamp = () => new Date();

  const tasksOf = (projectId) => [...tasks.values()].filter((t) => t.project_id === projectId);
  const annotationsOf = (projectId) => [...annotations.values()].filter((a) => a.project_id === projectId);

  return {
    organization,
    webhooks,

    addWebhook({ url, project = null, headers = {}, send_payload = true, actions = [], is_active = true }) {
      const row = { id: nextId(), organization, project, url, send_payload, headers, is_active,
        send_for_all_actions: actions.length === 0, actions };
      webhooks.set(row.id, row);
      return row;
    },

    addProject({ title = "New project", label_config = "<View></View>", ...rest }) {
      const at = stamp();
      const row = {
        id: nextId(), title, description: "", label_config, expert_instruction: "", show_instruction: false,
        show_skip_button: true, enable_empty_annotation: true, reveal_preannotations_interactively: false,
        show_annotation_history: false, show_collab_predictions: true, evaluate_predictions_automatically: false,
        token: randomUUID(), result_count: 0, color: "#FFFFFF", maximum_annotations: 1,
        min_annotations_to_start_training: 0, control_weights: {}, model_version: "", data_types: {},
        is_draft: false, is_published: false, created_at: at, updated_at: at, sampling: "Sequential sampling",
        skip_queue: "REQUEUE_FOR_OTHERS", show_ground_truth_first: false, annotator_evaluation_enabled: false,
        show_overlap_first: false, overlap_cohort_percentage: 100, organization_id: organization, created_by_id: user,
        ...rest,
      };
      projects.set(row.id, row);
      return row;
    },

    /** The project row with the 8 counts Label Studio annotates it with. */
    project(id) {
      const row = projects.get(id);
      if (!row) return undefined;
      const ts = tasksOf(id), as = annotationsOf(id);
      const done = as.filter((a) => !a.was_cancelled);
      return { ...row, task_number: ts.length, finished_task_number: ts.filter((t) => t.is_labeled).length,
        total_predictions_number: 0, total_annotations_number: done.length,
        num_tasks_with_annotations: ts.filter((t) => t.total_annotations > 0).length,
        useful_annotation_number: done.length, ground_truth_number: done.filter((a) => a.ground_truth).length,
        skipped_annotations_number: as.length - done.length };
    },

    importTasks(projectId, items) {
      const at = stamp();
      let inner = tasksOf(projectId).length;
      return items.map((item) => {
        const row = { id: nextId(), data: item.data ?? item, meta: item.meta ?? {}, created_at: at, updated_at: at,
          is_labeled: false, allow_skip: true, overlap: 1, inner_id: ++inner, total_annotations: 0,
          cancelled_annotations: 0, total_predictions: 0, comment_count: 0, unresolved_comment_count: 0,
          project_id: projectId, comment_authors: [] };
        tasks.set(row.id, row);
        return row;
      });
    },

    task: (id) => tasks.get(id),

    deleteTask(id) {
      const row = tasks.get(id);
      tasks.delete(id);
      for (const a of annotations.values()) if (a.task.id === id) annotations.delete(a.id);
      return row;
    },

    /** The annotation row nests its (updated) task row: the payload carries it. */
    addAnnotation(task, { result = [], lead_time = null, was_cancelled = false }) {
      const at = stamp();
      Object.assign(task, { is_labeled: true, total_annotations: task.total_annotations + 1, updated_at: at });
      const row = { id: nextId(), result, was_cancelled, ground_truth: false, created_at: at, updated_at: at,
        lead_time, prediction: {}, result_count: result.length, unique_id: randomUUID(), last_action: "submitted",
        bulk_created: false, task, project_id: task.project_id, completed_by_id: user, updated_by_id: user };
      annotations.set(row.id, row);
      return row;
    },

    annotation: (id) => annotations.get(id),

    updateAnnotation(row, { result = row.result, lead_time = row.lead_time }) {
      return Object.assign(row, { result, lead_time, result_count: result.length, updated_at: stamp(), last_action: "updated" });
    },
  };
}
