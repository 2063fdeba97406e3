#!/usr/bin/env node
// Regenerates the webhook event reference from the library itself (pkg/):
//   docs/events.md          the reference: common part, one section per action, the objects
//   docs/schemas/ACTION.json  one JSON Schema (draft 2020-12) per action, from schemas()
// Usage: node scripts/gen-docs.js          write the files
//        node scripts/gen-docs.js --check  exit 1 when a committed file differs
// The registry (actions()), the field lists (serializers()), the schemas (schemas())
// and the example bodies (buildDeliveries on samples/events/*.json) all come from
// pkg/, so nothing here restates a key or a field. The prose below is the part
// that is not data: what the fields are for, and where Label Studio emits.
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..");

function loadLib() {
  const p = path.join(ROOT, "pkg", "ls_webhooks.js");
  if (!fs.existsSync(p)) {
    console.error("gen-docs: pkg/ is not built; run: bash scripts/setup.sh");
    process.exit(2);
  }
  return require(p);
}

// Where Label Studio 1.23.2 emits each action (read in its source, paths under
// label_studio/), and what the captures in tests/fixtures/label-studio-1.23.2 show.
const EMITTED_FROM = {
  PROJECT_CREATED: [
    "`POST /api/projects/` (`projects/api.py`, `ProjectListAPI.post`, `@api_webhook`).",
  ],
  PROJECT_UPDATED: [
    "`PATCH /api/projects/{id}/` and `PUT /api/projects/{id}/` (`projects/api.py`, `ProjectAPI.patch`/`put`, `@api_webhook`).",
  ],
  PROJECT_DELETED: [
    "`DELETE /api/projects/{id}/` (`projects/api.py`, `ProjectAPI.delete`, `@api_webhook_for_delete`): the id is read before the project is deleted.",
  ],
  TASKS_CREATED: [
    "`POST /api/tasks/` (`tasks/api.py`, `TaskListAPI.perform_create`): a list of one task.",
    "`POST /api/projects/{id}/tasks/` (`projects/api.py`, `ProjectTaskListAPI.perform_create`): a list of one task.",
    "Imports: `POST /api/projects/{id}/import` (`data_import/api.py`, synchronous import) and the background import and re-import jobs (`data_import/functions.py`): all created tasks, in batches.",
    "Cloud storage sync (`io_storages/base_models.py`): the new tasks, emitted every `WEBHOOK_BATCH_SIZE` tasks and once more for the rest.",
  ],
  TASKS_DELETED: [
    "`DELETE /api/tasks/{id}/` (`tasks/api.py`, `TaskAPI.delete`, `@api_webhook_for_delete`): a list of one id.",
    "Data Manager action *Delete Tasks* (`data_manager/actions/basic.py`, `delete_tasks`): the selected tasks' ids.",
    "`DELETE /api/projects/{id}/tasks/` (`projects/api.py`, `ProjectTaskListAPI.delete`), delete all tasks of a project: emitted **with no project**, so only organization webhooks receive it, and the body has no `project` key.",
  ],
  ANNOTATION_CREATED: [
    "`POST /api/tasks/{id}/annotations/` (`tasks/api.py`, `AnnotationsListAPI.post`, `@api_webhook`): an annotation submitted in the labeling interface or through the API.",
  ],
  ANNOTATIONS_CREATED: [
    "Data Manager action *Create Annotations From Predictions* (`data_manager/actions/predictions_to_annotations.py`): one annotation per converted prediction. Nothing is sent when there is nothing to convert.",
  ],
  ANNOTATION_UPDATED: [
    "`PATCH /api/annotations/{id}/` and `PUT /api/annotations/{id}/` (`tasks/api.py`, `AnnotationAPI.patch`/`put`, `@api_webhook`): an annotation updated in the labeling interface or through the API.",
  ],
  ANNOTATIONS_DELETED: [
    "`DELETE /api/annotations/{id}/` (`tasks/api.py`, `AnnotationAPI.delete`, `@api_webhook_for_delete`): a list of one id.",
    "`POST /api/annotations/{id}/convert-to-draft` (`tasks/api.py`, `AnnotationConvertAPI.post`): the annotation becomes a draft, and is reported deleted.",
    "Data Manager action *Delete Annotations* (`data_manager/actions/basic.py`, `delete_tasks_annotations`): the deleted annotations' ids (an empty selection sends nothing).",
  ],
  LABEL_LINK_CREATED: [
    "`POST /api/labels/` (`labels_manager/serializers.py`, `LabelListSerializer.create`): the label links of the created labels. **In 1.23.2 this request fails with HTTP 500 whenever a webhook matches** (the links QuerySet is already evaluated, batching slices it into a list, and a debug message calls `batch.count()` on that list: `TypeError`); nothing is sent and the labels are rolled back. The body documented here is what the emission produces when it does not fail (as captured from the emission function itself).",
  ],
  LABEL_LINK_UPDATED: [
    "`PATCH /api/label_links/{id}/` and `PUT /api/label_links/{id}/` (`labels_manager/api.py`, `LabelLinkAPI.update`, `@api_webhook`). `POST /api/label_links/` sends nothing.",
  ],
  LABEL_LINK_DELETED: [
    "`DELETE /api/label_links/{id}/` (`labels_manager/api.py`, `LabelLinkAPI.destroy`, `@api_webhook_for_delete`).",
  ],
};

const OBJECT_TITLES = {
  project: "Project object",
  task: "Task object",
  annotation: "Annotation object",
  label_link: "Label link object",
  label: "Label object",
  only_id: "Id object",
};

function anchor(title) {
  return title.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");
}

function objLink(def) {
  return `[${OBJECT_TITLES[def].replace(/ object$/, "")}](#${anchor(OBJECT_TITLES[def])})`;
}

const KIND_TYPE = {
  int: "integer",
  float: "number (float)",
  bool: "boolean",
  str: "string",
  uuid: "string (UUID)",
  date_time: "string (datetime, UTC)",
  json: "any JSON",
  foreign_key: "integer (id)",
  many_to_many: "list of integers (ids)",
};

function cell(text) {
  return String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function refName(s) {
  return s && s.$ref ? s.$ref.replace("#/$defs/", "") : null;
}

function bodyKeyType(prop) {
  if ("const" in prop) return `string, always \`"${prop.const}"\``;
  if (prop.type === "array") return `list of ${objLink(refName(prop.items))} objects`;
  return `${objLink(refName(prop))} object`;
}

// ---------------------------------------------------------------------------
// JSON text helpers

/** Re-indents JSON text without parsing it: every string and number stays as sent. */
function reindent(text, step = "  ") {
  let out = "";
  let depth = 0;
  let i = 0;
  const nl = () => "\n" + step.repeat(depth);
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let j = i + 1;
      while (text[j] === " ") j++;
      if (text[j] === close) {
        out += c + close;
        i = j + 1;
        continue;
      }
      depth++;
      out += c + nl();
    } else if (c === "}" || c === "]") {
      depth--;
      out += nl() + c;
    } else if (c === ",") {
      out += "," + nl();
      while (text[i + 1] === " ") i++;
    } else if (c === ":") {
      out += ": ";
      while (text[i + 1] === " ") i++;
    } else if (c !== " " && c !== "\n") {
      out += c;
    }
    i++;
  }
  return out;
}

const KEYWORD_ORDER = [
  "$schema", "$id", "$ref", "title", "description", "const", "type", "pattern", "minItems", "items",
  "x-key-order", "properties", "required", "additionalProperties", "oneOf", "$defs",
];

/** A schema with its keywords in a readable order, `properties` in `x-key-order`,
 * `$defs` as payload, action_only, then rows in order of first use. */
function orderSchema(s) {
  if (Array.isArray(s)) return s.map(orderSchema);
  if (!s || typeof s !== "object") return s;
  const keys = Object.keys(s).sort((a, b) => {
    const ia = KEYWORD_ORDER.indexOf(a), ib = KEYWORD_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
  const out = {};
  for (const k of keys) {
    let v = s[k];
    if (k === "properties" && Array.isArray(s["x-key-order"])) {
      const ordered = {};
      for (const p of s["x-key-order"]) if (p in v) ordered[p] = orderSchema(v[p]);
      for (const p of Object.keys(v)) if (!(p in ordered)) ordered[p] = orderSchema(v[p]);
      v = ordered;
    } else if (k === "$defs") {
      const names = ["payload", "action_only"];
      const seen = JSON.stringify(orderSchema(v.payload || {}));
      for (const m of seen.matchAll(/"#\/\$defs\/([a-z_]+)"/g)) if (!names.includes(m[1])) names.push(m[1]);
      for (const n of Object.keys(v).sort()) if (!names.includes(n)) names.push(n);
      const ordered = {};
      for (const n of names) if (n in v) ordered[n] = orderSchema(v[n]);
      v = ordered;
    } else {
      v = orderSchema(v);
    }
    out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The reference

function example(lib, action) {
  const file = path.join(ROOT, "samples", "events", `${action}.json`);
  const plan = lib.buildDeliveries(new Uint8Array(fs.readFileSync(file)));
  const d = plan.deliveries.find((x) => x.body !== `{"action": "${action}"}`);
  if (!d) throw new Error(`samples/events/${action}.json produces no payload body`);
  return d;
}

function common(lib, acts) {
  const orgOnly = acts.filter((a) => a.organizationOnly).map((a) => `\`${a.action}\``).join(" and ");
  const L = [];
  L.push(`# Label Studio 1.23.2 webhook event reference

<!-- Generated by \`node scripts/gen-docs.js\` from the action registry (src/labelstudio/registry.rs), the
serializer field lists (src/labelstudio/serializers.rs) and the library's own output. Do not edit by hand:
tests/node/docs.test.mjs fails when this file differs from what the generator writes. -->

What Label Studio 1.23.2 sends to a webhook: when each of its ${acts.length} events is sent, the
request (method, headers, body bytes), and every key of every body. Everything below is generated
from the same tables that build the bodies in this library (which reproduces Label Studio's deliveries
byte for byte and is checked against deliveries captured from a running 1.23.2), so it cannot drift
from them. A JSON Schema (draft 2020-12) of each event's body is in [schemas/](schemas/).

- [Common to every delivery](#common-to-every-delivery)
- [Events](#events): ${acts.map((a) => `[${a.action}](#${a.action.toLowerCase()})`).join(", ")}
- [Objects](#objects): ${Object.values(OBJECT_TITLES).map((t) => `[${t.replace(/ object$/, "")}](#${anchor(t)})`).join(", ")}
- [Label Studio's own webhook reference has drifted](#label-studios-own-webhook-reference-has-drifted)
- [JSON Schemas](#json-schemas)

## Common to every delivery

### The request

- Method \`POST\`, to the webhook's URL, one request per webhook per batch (see *Batching*).
- Headers: the webhook's own \`headers\` (as saved on the webhook, in their order), plus
  \`Content-Type: application/json\`, unless the webhook has a Content-Type header of its own (in any
  case): then that one is sent instead, and the body is still JSON. The HTTP client (Python
  \`requests\`) adds \`Host\`, \`User-Agent: python-requests/…\`, \`Accept-Encoding\`, \`Accept\`,
  \`Connection\` and \`Content-Length\`; with Label Studio's default settings, sentry-sdk also adds
  \`sentry-trace\` and \`baggage\` (random trace ids). Header values go out latin-1 encoded; a webhook
  whose header cannot be sent (a value with CR/LF, a leading space, or outside latin-1) gets no
  request at all, while the other webhooks still get theirs.
- No signature: nothing in the request proves it comes from Label Studio. Put a secret of your own
  in the webhook's headers (e.g. \`Authorization\`) or in its URL, and check it.
- No retries. Label Studio waits at most \`WEBHOOK_TIMEOUT\` (1 second by default) for the
  response, ignores the status code and the response body, and logs failures. Answer quickly
  (2xx) and do slow work after responding.
- Sent after the change is saved, from the request that made it, or from a background worker when
  Label Studio runs with Redis queues.
- With \`SSRF_PROTECTION_ENABLED\` (the default), Label Studio refuses to send to URLs whose host
  resolves to a private, loopback, link-local or otherwise reserved address.

### The body

- A JSON object whose **first key is always \`action\`**: the event name, e.g.
  \`{"action": "TASKS_CREATED", ...}\`.
- **\`send_payload\` false**: a webhook saved with \`send_payload\` false receives the action alone,
  \`{"action": "TASKS_CREATED"}\`, for every event. Each event's schema accepts both forms.
- With \`send_payload\` true (the default), the action is followed by the event's payload:
  1. the event's objects under the event's key (\`tasks\`, \`annotation\`, \`annotations\`, \`project\` or
     \`label_link\`): one object or a list, as listed per event below;
  2. \`project\`: the project the event belongs to, as a full [Project](#project-object) object,
     for every event except the organization-only ones (${orgOnly}, whose \`project\` key holds the
     event's own object) and except TASKS_DELETED when all tasks of a project are deleted at once
     (that path passes no project);
  3. related objects some events add: \`task\` for the annotation events, \`label\` for
     LABEL_LINK_UPDATED.
- Keys come in the order above, and the fields of each object in the order of its table under
  [Objects](#objects). Every field of an object is always present (\`null\` where the table says
  nullable), except the few marked *optional*. No other keys appear.
- **Batching**: when an event carries a list (the events whose key holds a list below), Label Studio
  cuts the list into batches of \`WEBHOOK_BATCH_SIZE\` items (5000 by default) and sends one request
  per batch to every webhook, batch after batch. Each batch has its own \`project\` and related
  objects. An import of 5003 tasks therefore arrives as two TASKS_CREATED requests (5000 and 3
  tasks). An empty list sends nothing at all, not even the action.
- **Bytes**: the body is Python's \`json.dumps\` of the payload: \`", "\` and \`": "\` separators, no
  newlines; every non-ASCII character escaped as \`\\uXXXX\` (characters outside the BMP as a
  surrogate pair), so the body is pure ASCII; integers of any size written in full (the project's
  \`label_config_hash\` is a 64-bit integer, often above 2^53: parse with a big-integer-safe JSON
  reader if you need it exactly); floats as Python writes them (\`12.0\`, \`0.1\`, \`1e-07\`, \`1e+16\`);
  datetimes as strings in UTC ending in \`Z\`, with microseconds only when they are non-zero
  (\`2026-11-26T09:12:03.114852Z\`, \`2026-11-26T09:12:03Z\`). Any JSON parser reads it.

### Who receives an event: project and organization webhooks

- A webhook belongs to an organization and, usually, to one project.
  - A **project webhook** receives the events of its project.
  - An **organization webhook** (no project) receives the events of every project of the
    organization, plus the organization-only events. In 1.23.2 the API creates project webhooks only
    (\`POST /api/webhooks/\` without a project answers 404, \`webhooks/api.py\`); organization
    webhooks exist only where they were put in the database by other means. The setting
    \`ALLOW_ORGANIZATION_WEBHOOKS\` only shows them in the web UI.
- A webhook receives an event when it is active (\`is_active\`) and either sends all actions
  (\`send_for_all_actions\`) or lists the action in its \`actions\`.
- Each matching webhook receives each batch once; webhooks are served one after the other in id
  order.

### Organization-only events

${orgOnly} are emitted without a project, so **only organization webhooks** receive them, never a
project webhook (even one with \`send_for_all_actions\`). TASKS_DELETED from *delete all tasks* is
emitted without a project too.

## Events

| event | sent when | body keys | list? | who receives it |
|---|---|---|---|---|`);
  for (const a of acts) {
    const keys = lib.schemas()[a.action].$defs.payload["x-key-order"].map((k) => `\`${k}\``).join(", ");
    const who = a.organizationOnly ? "organization webhooks" : "project and organization webhooks";
    L.push(`| [${a.action}](#${a.action.toLowerCase()}) | ${cell(a.description)} | ${keys} | ${a.many ? "yes: batched" : "no"} | ${who} |`);
  }
  return L.join("\n");
}

function actionSection(lib, a, schema) {
  const payload = schema.$defs.payload;
  const L = [];
  L.push(`## ${a.action}`);
  L.push("");
  L.push(`*${a.name}* (Label Studio's display name). ${a.description}`);
  L.push("");
  L.push("**When Label Studio sends it** (1.23.2 source, paths under `label_studio/`):");
  L.push("");
  for (const line of EMITTED_FROM[a.action]) L.push(`- ${line}`);
  L.push("");
  L.push(a.organizationOnly
    ? "**Who receives it:** organization webhooks only (an organization-only event)."
    : "**Who receives it:** the project's webhooks and the organization webhooks.");
  L.push("");
  L.push(`**Body** (\`send_payload\` true), keys in this order (schema: [schemas/${a.action}.json](schemas/${a.action}.json)):`);
  L.push("");
  L.push("| key | type | nullable | present | description |");
  L.push("|---|---|---|---|---|");
  for (const k of payload["x-key-order"]) {
    const prop = payload.properties[k];
    const present = payload.required.includes(k) ? "always" : "not always";
    L.push(`| \`${k}\` | ${bodyKeyType(prop)} | no | ${present} | ${cell(prop.description)} |`);
  }
  L.push("");
  L.push(`With \`send_payload\` false the body is \`{"action": "${a.action}"}\`.`);
  L.push("");
  const d = example(lib, a.action);
  const headers = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}`).join("\n");
  L.push(`**Example**, built by this library from [samples/events/${a.action}.json](../samples/events/${a.action}.json) (a webhook with its own \`${Object.keys(d.headers)[0]}\` header). The request:`);
  L.push("");
  L.push("```http");
  L.push(`POST ${new URL(d.url).pathname} HTTP/1.1`);
  L.push(`Host: ${new URL(d.url).host}`);
  L.push(headers);
  L.push("");
  L.push(d.body);
  L.push("```");
  L.push("");
  L.push("The same body, indented (same strings and numbers, escapes kept):");
  L.push("");
  L.push("```json");
  L.push(reindent(d.body));
  L.push("```");
  return L.join("\n");
}

function objectSection(name, ser, schema) {
  const L = [];
  L.push(`### ${OBJECT_TITLES[name]}`);
  L.push("");
  L.push(`${schema.description.replace(" Keys appear in the order of \`x-key-order\`.", "")} The fields, in the order they are sent:`);
  L.push("");
  L.push("| field | type | nullable | description |");
  L.push("|---|---|---|---|");
  for (const f of ser.fields) {
    const prop = schema.properties[f.name];
    const type = KIND_TYPE[f.kind] + (f.optional ? ", *optional*" : "");
    const nullable = f.kind === "json" ? (f.nullable ? "yes" : "no (any JSON value)") : f.nullable ? "yes" : "no";
    L.push(`| \`${f.name}\` | ${type} | ${nullable} | ${cell(prop.description)} |`);
  }
  return L.join("\n");
}

function objects(lib, acts, schemas) {
  const L = [];
  L.push(`## Objects

The objects inside the bodies, as Label Studio's serializers render them (Django REST Framework,
\`fields = '__all__'\`). Foreign keys are the related object's id; many-to-many fields are lists of
ids; datetimes are UTC strings ending in \`Z\`; "any JSON" fields are passed through as stored.`);
  const sers = Object.fromEntries(lib.serializers().map((s) => [s.id, s]));
  for (const name of Object.keys(OBJECT_TITLES)) {
    const user = acts.find((a) => schemas[a.action].$defs[name]);
    L.push("");
    L.push(objectSection(name, sers[name], schemas[user.action].$defs[name]));
    const users = acts.filter((a) => schemas[a.action].$defs[name]).map((a) => `[${a.action}](#${a.action.toLowerCase()})`);
    L.push("");
    L.push(`Sent in: ${users.join(", ")}.`);
  }
  return L.join("\n");
}

function drift(acts) {
  const names = acts.map((a) => a.action);
  return `## Label Studio's own webhook reference has drifted

Label Studio's hand-written "Webhook event reference" disagrees with what 1.23.2's code sends:

- It documents \`TASK_CREATED\` and \`ANNOTATION_DELETED\`. The code never sends them: it sends
  [TASKS_CREATED](#tasks_created) (a list under \`tasks\`) and [ANNOTATIONS_DELETED](#annotations_deleted)
  (a list of ids under \`annotations\`).${names.includes("TASK_CREATED") || names.includes("ANNOTATION_DELETED") ? " (**The registry now has one of them: regenerate this text.**)" : ""}
- Its examples predate the project's 8 counts (\`task_number\` … \`skipped_annotations_number\`) and
  about twenty newer project, task and annotation fields; the tables above are the fields 1.23.2
  sends.
- It has no section for [ANNOTATIONS_CREATED](#annotations_created) (note its list under the
  singular key \`annotation\`, with a list of tasks under \`task\`) nor for the label-link events.

The ${names.length} events above are the complete list of \`WebhookAction.ACTIONS\` in 1.23.2.`;
}

function schemasSection(acts) {
  return `## JSON Schemas

[schemas/](schemas/) holds one JSON Schema (draft 2020-12) per event, e.g.
[schemas/TASKS_CREATED.json](schemas/TASKS_CREATED.json); the library also returns them from
\`schemas()\`. Each accepts exactly the bodies of its event: \`oneOf\` the full payload
(\`$defs/payload\`) and the action alone (\`$defs/action_only\`), with \`additionalProperties: false\`
on every object. The annotation \`x-key-order\` lists each object's keys in the order they are sent
(JSON objects are unordered; the bytes are not). With Ajv, declare it in strict mode:

\`\`\`js
const Ajv2020 = require("ajv/dist/2020");
const ajv = new Ajv2020({ keywords: ["x-key-order"] });
const validate = ajv.compile(require("./docs/schemas/TASKS_CREATED.json"));
if (!validate(JSON.parse(body))) console.error(validate.errors);
\`\`\`

Integers are JSON Schema integers: a \`label_config_hash\` above 2^53 still validates after
\`JSON.parse\` (which rounds it).`;
}

/** Every generated file: relative path -> content. */
function generate(lib = loadLib()) {
  const acts = lib.actions();
  const schemas = lib.schemas();
  const missing = acts.filter((a) => !EMITTED_FROM[a.action]).map((a) => a.action);
  if (missing.length) throw new Error(`gen-docs: no EMITTED_FROM entry for ${missing.join(", ")}`);
  const parts = [common(lib, acts)];
  for (const a of acts) parts.push(actionSection(lib, a, schemas[a.action]));
  parts.push(objects(lib, acts, schemas));
  parts.push(drift(acts));
  parts.push(schemasSection(acts));
  const files = { "docs/events.md": parts.join("\n\n") + "\n" };
  for (const a of acts) {
    files[`docs/schemas/${a.action}.json`] = JSON.stringify(orderSchema(schemas[a.action]), null, 2) + "\n";
  }
  return files;
}

function main(argv) {
  const check = argv.includes("--check");
  const files = generate();
  let stale = 0;
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(ROOT, rel);
    const old = fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null;
    if (old === content) continue;
    if (check) {
      console.error(`stale: ${rel}`);
      stale++;
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
      console.log(`wrote ${rel}`);
    }
  }
  // Schemas of actions that no longer exist.
  const dir = path.join(ROOT, "docs", "schemas");
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!files[`docs/schemas/${f}`]) {
      if (check) {
        console.error(`stale: docs/schemas/${f} (no such action)`);
        stale++;
      } else {
        fs.unlinkSync(path.join(dir, f));
        console.log(`removed docs/schemas/${f}`);
      }
    }
  }
  if (check && stale) process.exit(1);
}

module.exports = { generate, reindent, orderSchema, EMITTED_FROM };

if (require.main === module) main(process.argv.slice(2));
