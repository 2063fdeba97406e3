#!/usr/bin/env node
// Regenerates the webhook event reference from the library itself (pkg/):
//   docs/events.md          the reference: common part, one section per action, the objects,
//                           signed deliveries (this package's extension)
//   docs/schemas/ACTION.json  one JSON Schema (draft 2020-12) per action, from schemas()
//   docs/input-rows.md      the rows a host hands over: each serializer's input fields
//   js/bodies.d.ts          the TypeScript types of every body (WebhookBody), for parseWebhook
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
- [Signing (Standard Webhooks, this package's extension)](#signing-standard-webhooks-this-packages-extension)
- [JSON Schemas](#json-schemas)

The rows a host hands to this library to build these bodies are listed in [input-rows.md](input-rows.md).

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
  in the webhook's headers (e.g. \`Authorization\`) or in its URL, and check it. (This package can sign
  its deliveries as an opt-in extension: see [Signing](#signing-standard-webhooks-this-packages-extension).)
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
    const type = KIND_TYPE[f.kind] + (rendersOnlyWhenPresent(f) ? ", *optional*" : "");
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
[schemas/TASKS_CREATED.json](schemas/TASKS_CREATED.json); the Node package also returns them from
\`schemas()\` (the web build, \`www/pkg/\`, leaves \`schemas()\` out to stay small: load these files instead). Each accepts exactly the bodies of its event: \`oneOf\` the full payload
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
\`JSON.parse\` (which rounds it).

Without a validator, \`parseWebhook(body)\` (the Node package; the web build leaves it out, as it leaves
out \`schemas()\`) checks a received body against the same
tables and returns it parsed, integers past 2^53 as exact \`BigInt\`s; it throws \`INVALID_BODY\` with the
\`path\` of the first offending field (\`tasks[0].created_at\`). In TypeScript it returns \`WebhookBody\`, the
union of every body above.`;
}

// ---------------------------------------------------------------------------
// Signed deliveries: this package's extension (options.signing), not Label Studio's

function signingSection() {
  return `## Signing (Standard Webhooks, this package's extension)

> **Not Label Studio.** Label Studio 1.23.2 signs nothing (see [The request](#the-request)). Everything in
> this section is an opt-in extension of *this package* (ls-webhooks): without \`signing\` in the options
> (the event's or the options argument's), the deliveries are Label Studio's, byte for byte, and carry
> none of these headers.

The scheme is [Standard Webhooks](https://www.standardwebhooks.com/), so its libraries verify the
deliveries in any language. Signing adds three headers to each delivery, **after** Label Studio's own (the
webhook's headers, then \`Content-Type\`), and changes **no byte of the body**:

| header | value |
|---|---|
| \`webhook-id\` | the delivery's id (see below) |
| \`webhook-timestamp\` | when it was signed: whole seconds since the Unix epoch, as decimal text |
| \`webhook-signature\` | \`v1,\` and the base64 HMAC-SHA256, keyed with the secret's key bytes, of \`{webhook-id}.{webhook-timestamp}.{body}\` (the exact body bytes) |

### Turning it on

\`\`\`js
// "whsec_" + base64 of the key. In the options argument, the secret stays out of the event's text;
// the event's own options.signing works too (the argument's wins).
const plan = buildDeliveries(event, { signing: { secret: process.env.WEBHOOK_SECRET } });
\`\`\`

\`signing\` is \`{ secret, secrets?, id?, timestamp? }\`:

- \`secret\`: a Standard Webhooks secret, \`whsec_\` and the key in base64 (the prefix may be left out, as
  in the reference libraries). It signs every target that has no secret of its own.
- \`secrets\`: per-webhook secrets, \`{ "<webhook id>": "whsec_…" }\`; a webhook listed here is signed with
  its own secret instead of \`secret\`. At least one of \`secret\` and \`secrets\` is needed.
- \`id\`: the host's id for the event, 1 to 200 characters of \`A-Z a-z 0-9 _ . : -\`. Each delivery's
  \`webhook-id\` is then \`{id}_{webhook id}_{batch}\` (batch counted from 0), e.g. \`evt-42_3_0\`.
  Without it, \`webhook-id\` is \`msg_\` and 32 hex digits: the first 16 bytes of the SHA-256 of the
  action, the webhook id and the batch (each followed by a NUL byte), then the body. Either way the id
  is stable: the same event built again (a redelivery rebuilt from the database with the same rows)
  gives each delivery the same id, and a delivery sent again keeps its headers, so a receiver can drop
  repeats by \`webhook-id\`.
- \`timestamp\`: a fixed \`webhook-timestamp\` (whole seconds, not negative). Without it, the clock when
  the batch is built (\`buildDeliveries\`: the call; \`planBatches\`: each \`next()\`). A receiver refuses a
  timestamp too far from its own clock (5 minutes by default): a delivery sent again later than that
  is refused as a replay. Sign it anew when it is sent: \`signWebhook({ id, body, secret })\` gives the
  three headers with its own \`webhook-id\` and a fresh timestamp (the queue's workers do so with
  \`createWorker({ signing })\`, see the README).

Targets without a secret (no \`secret\`, and not in \`secrets\`) are sent unsigned, as Label Studio sends
them, and the plan carries the warning \`UNSIGNED\` naming them. A signed target whose webhook has a header
of its own named \`webhook-id\`, \`webhook-timestamp\` or \`webhook-signature\` (in any case) is not sent: it
is \`skipped\` as \`INVALID_HEADER\` (the other targets still get theirs). An unknown signing option, a
secret that is not base64, or a bad \`id\` or \`timestamp\` is an \`INVALID_EVENT\` at
\`options.signing.…\`; no message repeats a secret.

### Verifying in Node: \`verifyWebhook\`

\`verifyWebhook({ headers, body, secret, toleranceSeconds = 300, now })\` checks the three headers, the
timestamp (at most \`toleranceSeconds\` from \`now\`, either way) and the signature, then returns
\`parseWebhook(body)\`: the body checked against its action (the rules of [its schema](#json-schemas))
and parsed, integers past 2^53 as \`BigInt\`. Verify the **raw body bytes** as received, before
any JSON parsing. \`secret\` may be a list (while rotating keys, any one may match); \`headers\` a
\`Headers\`, a plain object (Node's \`req.headers\`) or \`[name, value]\` pairs; \`body\` a string or bytes;
\`now\` a \`Date\` or seconds (default: the clock). With \`checkBody: false\` (as \`parseWebhook(body, {
checkBody: false })\`) the body is only parsed, not checked: for a custom emit's payload. In the Node
package; the web build leaves the receiver's functions out.

\`\`\`js
const http = require("node:http");
const { verifyWebhook } = require("ls-webhooks");

http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let body;
  try {
    body = verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret: process.env.WEBHOOK_SECRET });
  } catch (e) {
    // e.code: MISSING_HEADER, INVALID_HEADER, TIMESTAMP_OUT_OF_TOLERANCE, SIGNATURE_MISMATCH (401),
    // INVALID_BODY (signed, but not a body Label Studio sends), INVALID_ARGUMENT (a bad secret: yours)
    res.writeHead({ INVALID_BODY: 400, INVALID_ARGUMENT: 500 }[e.code] ?? 401).end();
    return;
  }
  res.writeHead(204).end(); // answer first (Label Studio waits 1 s), then work
  if (body.action === "TASKS_CREATED" && body.tasks) console.log(body.tasks.length, "tasks in", body.project.title);
}).listen(8080);
\`\`\`

| \`e.code\` | when |
|---|---|
| \`MISSING_HEADER\` | one of the three headers is absent or empty (\`e.path\` names it) |
| \`INVALID_HEADER\` | \`webhook-timestamp\` is not a whole number of seconds |
| \`TIMESTAMP_OUT_OF_TOLERANCE\` | the timestamp is more than \`toleranceSeconds\` from \`now\` (a replay, or a clock that is off) |
| \`SIGNATURE_MISMATCH\` | no \`v1\` signature matches any secret: another secret, or a changed body, id or timestamp |
| \`INVALID_BODY\` | the signature is good but the body is not one Label Studio sends (\`e.path\`: the first offending field) |
| \`INVALID_ARGUMENT\` | a secret that is not a Standard Webhooks secret, a bad \`toleranceSeconds\` or \`now\`, a body that is neither a string nor bytes |

In TypeScript, the result is the union of every body (\`WebhookBody\`, see the package's types): a
\`switch (body.action)\` narrows it to that action's keys, and \`if (body.tasks)\` (the action's own key)
tells the full payload from the action alone (\`send_payload\` false). The replay window is the tolerance:
to refuse a replay within it, keep the \`webhook-id\`s seen in the last \`toleranceSeconds\`.

### Verifying with the npm \`standardwebhooks\` package

\`\`\`js
const { Webhook } = require("standardwebhooks"); // npm install standardwebhooks
const wh = new Webhook(process.env.WEBHOOK_SECRET); // "whsec_…"
const payload = wh.verify(rawBody, req.headers); // throws WebhookVerificationError; 5-minute tolerance
\`\`\`

It returns \`JSON.parse(rawBody)\`, which rounds integers past 2^53 (the project's \`label_config_hash\`)
and checks nothing of the body's shape: \`parseWebhook(rawBody)\` from this package gives both.

### Verifying in Python: the PyPI \`standardwebhooks\` package

\`\`\`python
import os
from flask import Flask, request
from standardwebhooks import Webhook, WebhookVerificationError  # pip install standardwebhooks

app = Flask(__name__)
wh = Webhook(os.environ["WEBHOOK_SECRET"])  # "whsec_..."

@app.post("/hooks/label-studio")
def label_studio():
    try:
        body = wh.verify(request.get_data(), dict(request.headers))  # the raw bytes; 5-minute tolerance
    except WebhookVerificationError:
        return "", 401
    if body["action"] == "TASKS_CREATED" and "tasks" in body:
        print(len(body["tasks"]), "tasks")
    return "", 204
\`\`\`

\`verify\` returns \`json.loads\` of the body: Python's integers are exact at any size.`;
}

// ---------------------------------------------------------------------------
// The body types (js/bodies.d.ts): the receiver's side of the tables

const BODY_TYPES_FILE = "js/bodies.d.ts";

/** TASKS_CREATED -> TasksCreated; label_link -> LabelLink. */
function pascal(name) {
  return name.toLowerCase().split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** The type name of a serializer's object: the title of its docs section, "Label link object" -> LabelLinkObject. */
function objectType(serializerId) {
  const title = OBJECT_TITLES[serializerId];
  if (!title) throw new Error(`gen-docs: no OBJECT_TITLES entry for serializer ${serializerId}`);
  return title.split(" ").map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** A declared read-only field: rendered only when the row carries it (serializers()' `declaredReadOnly`). */
function rendersOnlyWhenPresent(f) {
  return f.declaredReadOnly;
}

/**
 * A field's type as parseWebhook returns it, by kind. Every integer kind (int, foreign_key,
 * many_to_many's ids) is `BodyInt` (number | bigint): the schemas and parseWebhook take an
 * integer of any size there, and parseWebhook returns one past 2^53 as a BigInt.
 */
const KIND_TS = {
  int: "BodyInt",
  float: "number",
  bool: "boolean",
  str: "string",
  uuid: "string",
  date_time: "string",
  json: "BodyJson",
  foreign_key: "BodyInt",
  many_to_many: "BodyInt[]",
};

/** What a field's JSDoc adds to its description, by kind. */
const KIND_NOTE = {
  uuid: "Lowercase `8-4-4-4-12`.",
  date_time: "UTC: `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.",
  json: "Integers past 2^53 in it, at any depth, are BigInts.",
};

function jsdoc(text, indent = "") {
  const clean = String(text).replace(/\*\//g, "*\\/").trim();
  const words = clean.split(/\s+/);
  const lines = [];
  let line = "";
  for (const w of words) {
    if (line && (indent + " * " + line + " " + w).length > 110) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  if (lines.length === 1 && (indent + "/** " + lines[0] + " */").length <= 110) return `${indent}/** ${lines[0]} */`;
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`].join("\n");
}

function fieldType(f) {
  const t = KIND_TS[f.kind];
  if (!t) throw new Error(`gen-docs: no TypeScript type for field kind ${f.kind}`);
  // JSON null is already a BodyJson; DRF never renders a many-to-many field as null.
  return f.nullable && f.kind !== "json" && f.kind !== "many_to_many" ? `${t} | null` : t;
}

function objectInterface(ser, rowSchema) {
  const order = rowSchema["x-key-order"];
  const names = ser.fields.map((f) => f.name);
  if (JSON.stringify(order) !== JSON.stringify(names)) {
    throw new Error(`gen-docs: the schema of ${ser.id} lists ${order}, the serializer ${names}`);
  }
  const L = [];
  const optional = ser.fields.filter(rendersOnlyWhenPresent).map((f) => `\`${f.name}\``);
  L.push(jsdoc(`A ${ser.model === "(any)" ? "deleted object" : ser.model} as \`${ser.class}\` renders it, keys in this order.${
    optional.length ? ` Rendered only when Label Studio's row carries them: ${optional.join(", ")}.` : ""}`));
  L.push(`export interface ${objectType(ser.id)} {`);
  for (const f of ser.fields) {
    const desc = rowSchema.properties[f.name].description;
    const note = KIND_NOTE[f.kind] && !desc.includes(KIND_NOTE[f.kind]) ? ` ${KIND_NOTE[f.kind]}` : "";
    L.push(jsdoc(desc + note, "  "));
    L.push(`  ${f.name}${rendersOnlyWhenPresent(f) ? "?" : ""}: ${fieldType(f)};`);
  }
  L.push("}");
  return L.join("\n");
}

function bodyKeyTs(action, key, prop) {
  if ("const" in prop) return JSON.stringify(prop.const);
  if (prop.type === "array") {
    if (prop.minItems !== 1) throw new Error(`gen-docs: ${action}.${key}: a list that may be empty`);
    return `NonEmptyList<${objectType(refName(prop.items))}>`;
  }
  return objectType(refName(prop));
}

/** Every body a receiver may get, as TypeScript: generated from actions(), schemas() and serializers(). */
function bodyTypes(lib) {
  const acts = lib.actions();
  const schemas = lib.schemas();
  const sers = Object.fromEntries(lib.serializers().map((s) => [s.id, s]));
  const L = [];
  L.push(`// Generated by \`node scripts/gen-docs.js\` from the action registry (actions()), the body layout
// (schemas()) and the serializer field lists (serializers()). Do not edit by hand:
// tests/node/types.test.mjs fails when this file differs from what the generator writes.
//
// The bodies Label Studio 1.23.2 sends, as parseWebhook and verifyWebhook return them: WebhookBody is a
// union on \`action\`; each action has its full payload (\`send_payload\` true) and its action-only form
// (\`{"action": A}\` alone, \`send_payload\` false), by the rules of docs/schemas/ACTION.json.
//
// Integers: every integer field (ids, foreign keys, the ids of many-to-many fields, counts, hashes) is a
// BodyInt, \`number | bigint\`. Label Studio writes Python ints in full, its integer columns are 64-bit
// (label_config_hash is a 64-bit hash, usually past 2^53; SQLite ids are 64-bit), the schemas take an
// integer of any size, and parseWebhook returns one past 2^53 as an exact BigInt. Float fields are
// \`number\` (Label Studio writes Python floats, which are doubles). JSON fields (task \`data\`, annotation
// \`result\`, ...) are BodyJson: any JSON value, with integers past 2^53 as BigInts at any depth.

/** An integer as parseWebhook returns it: a number, or past 2^53 (\`Number.MAX_SAFE_INTEGER\` + 1) an exact BigInt. */
export type BodyInt = number | bigint;

/** Any JSON value as parseWebhook returns it: integers past 2^53 are BigInts, at any depth. */
export type BodyJson = null | boolean | number | bigint | string | BodyJson[] | { [key: string]: BodyJson };

/** A list of at least one item: a batch is never empty (an empty list sends nothing at all). */
export type NonEmptyList<T> = [T, ...T[]];`);
  // Objects, in docs order.
  const used = new Set();
  for (const a of acts) {
    for (const [name] of Object.entries(schemas[a.action].$defs)) used.add(name);
  }
  for (const id of Object.keys(OBJECT_TITLES)) {
    if (!used.has(id)) continue;
    const rowSchema = acts.map((a) => schemas[a.action].$defs[id]).find(Boolean);
    if (!sers[id]) throw new Error(`gen-docs: no serializer ${id}`);
    L.push("");
    L.push(objectInterface(sers[id], rowSchema));
  }
  for (const name of used) {
    if (name !== "payload" && name !== "action_only" && !OBJECT_TITLES[name]) throw new Error(`gen-docs: no OBJECT_TITLES entry for ${name}`);
  }
  // One payload and one action-only form per action.
  for (const a of acts) {
    const payload = schemas[a.action].$defs.payload;
    const T = pascal(a.action);
    const keys = payload["x-key-order"];
    L.push("");
    L.push(jsdoc(`${a.action} ("${a.name}"), the full payload (\`send_payload\` true). ${a.description} Keys in this order: ${keys.map((k) => `\`${k}\``).join(", ")}.`));
    L.push(`export interface ${T}Payload {`);
    for (const k of keys) {
      const prop = payload.properties[k];
      L.push(jsdoc(prop.description, "  "));
      L.push(`  ${k}${payload.required.includes(k) ? "" : "?"}: ${bodyKeyTs(a.action, k, prop)};`);
    }
    L.push("}");
    L.push("");
    L.push(jsdoc(`${a.action} as a webhook with \`send_payload\` false gets it: \`{"action": "${a.action}"}\` alone. The payload's keys are never there (test one, e.g. \`if (body.${keys[1]})\`, to tell the two forms apart).`));
    L.push(`export interface ${T}ActionOnly {`);
    L.push(`  action: ${JSON.stringify(a.action)};`);
    for (const k of keys.slice(1)) L.push(`  ${k}?: never;`);
    L.push("}");
    L.push("");
    L.push(`/** Every body of ${a.action}: the payload, or the action alone. */`);
    L.push(`export type ${T}Body = ${T}Payload | ${T}ActionOnly;`);
  }
  L.push("");
  L.push("/** The full payload of each action (`send_payload` true). */");
  L.push("export interface PayloadByAction {");
  for (const a of acts) L.push(`  ${a.action}: ${pascal(a.action)}Payload;`);
  L.push("}");
  L.push("");
  L.push("/** The action-only body of each action (`send_payload` false). */");
  L.push("export interface ActionOnlyByAction {");
  for (const a of acts) L.push(`  ${a.action}: ${pascal(a.action)}ActionOnly;`);
  L.push("}");
  L.push(`
/** The action of a body: the ${acts.length} actions of Label Studio 1.23.2. */
export type BodyAction = keyof PayloadByAction;

/** The full payload of action \`A\` (of any action by default). */
export type PayloadBody<A extends BodyAction = BodyAction> = PayloadByAction[A];

/** The action-only body of action \`A\` (of any action by default). */
export type ActionOnlyBody<A extends BodyAction = BodyAction> = ActionOnlyByAction[A];

/**
 * A webhook body as parseWebhook and verifyWebhook return it: a union on \`action\`, so
 * \`switch (body.action)\` narrows it to that action's payload or action-only form.
 */
export type WebhookBody<A extends BodyAction = BodyAction> = PayloadByAction[A] | ActionOnlyByAction[A];`);
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// The input rows (docs/input-rows.md): what the host hands over, per serializer

const INPUT_ROWS_FILE = "docs/input-rows.md";

/** What each field kind takes in a row (the rules of render.rs and datetime.rs, in words). */
const KIND_INPUT = {
  int: "a number, a `BigInt`, or a string of decimal digits (optional sign), exactly at any size, as DRF's `int(value)`; written as Python writes the int. In event text, a number with a fraction or an exponent (`1.0`, `1e3`) is refused; one past 2^53 has lost digits to `JSON.parse` (pass the event as text or bytes, or the value as a `BigInt` or a string).",
  float: "a number; written as Python's `float()` and `repr()` write it (`12` becomes `12.0`).",
  bool: "`true` or `false`.",
  str: "a string.",
  uuid: "a string in any form Python's `uuid.UUID` reads (any case, with or without dashes, braces or `urn:uuid:`); written lowercase `8-4-4-4-12`.",
  date_time: "ISO 8601 text (Django's `parse_datetime`: `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH[[:]MM]]`) or a `Date`; converted to UTC and written `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`. Without an offset it is taken as UTC (Label Studio's `TIME_ZONE`); digits past microseconds are cut, as Django does.",
  json: "any JSON value, passed through as it is (key order, `1.0` and ints of any size kept on the text and bytes paths).",
  foreign_key: "the related row's id (as an int field takes it), or the related row itself (its `id` is read), under the field's name or its database column (`…_id`).",
  many_to_many: "a list of ids or of rows with an `id` (`[3, {\"id\": 4}]`); never null.",
};

/** Notes on particular fields that the tables cannot say (checked against the field lists). */
const FIELD_INPUT_NOTES = {
  task: {
    data: "If `data` has a `$undefined$` key and the task's project has `data_types`, the value moves to the first `data_types` key (Label Studio's `replace_task_data_undefined_with_config_field`); the project row is then needed, as the event's `project` or the task's own `project`.",
  },
};

function inputRows(lib) {
  const acts = lib.actions();
  const sers = lib.serializers();
  const byId = Object.fromEntries(sers.map((s) => [s.id, s]));
  for (const [id, notes] of Object.entries(FIELD_INPUT_NOTES)) {
    for (const f of Object.keys(notes)) {
      if (!byId[id] || !byId[id].fields.some((x) => x.name === f)) throw new Error(`gen-docs: FIELD_INPUT_NOTES names ${id}.${f}, not a field`);
    }
  }
  const kinds = new Set(sers.flatMap((s) => s.fields.map((f) => f.kind)));
  for (const k of kinds) if (!KIND_INPUT[k] || !KIND_TYPE[k]) throw new Error(`gen-docs: no KIND_INPUT/KIND_TYPE entry for kind ${k}`);
  const onlyWhenPresent = sers.filter((s) => s.fields.some(rendersOnlyWhenPresent))
    .map((s) => `${s.model}: ${s.fields.filter(rendersOnlyWhenPresent).map((f) => `\`${f.name}\``).join(", ")}`).join("; ");
  const rowName = (id) => `[${OBJECT_TITLES[id].replace(/ object$/, "")}](#${anchor(`${OBJECT_TITLES[id].replace(/ object$/, "")} rows`)})`;
  const L = [];
  L.push(`# Input rows: what the host hands over

<!-- Generated by \`node scripts/gen-docs.js\` from the action registry (src/labelstudio/registry.rs) and the
serializer field lists (src/labelstudio/serializers.rs), through actions() and serializers(). Do not edit by
hand: tests/node/docs.test.mjs fails when this file differs from what the generator writes. -->

An event (see the [README](../README.md#use-from-node)) carries the rows Label Studio would hand to its
serializers: \`instance\` (the action's rows) and \`project\` (the event's project). This page lists, for every
serializer, the fields a row must have, may have, or may leave out, and the forms each field takes. What
the serializers make of them, the bodies, is in [events.md](events.md#objects).

- [Which rows each action takes](#which-rows-each-action-takes)
- [Rules for every row](#rules-for-every-row)
- [What each kind of field takes](#what-each-kind-of-field-takes)
- Rows: ${sers.map((s) => rowName(s.id)).join(", ")}

## Which rows each action takes

| action | \`instance\` | rows | nested rows given in full | \`project\` |
|---|---|---|---|---|`);
  for (const a of acts) {
    const rows = a.many ? `a list of ${rowName(a.serializer)} rows (sent in batches of \`batchSize\`)` : `one ${rowName(a.serializer)} row`;
    const nested = a.nestedFields.length
      ? a.nestedFields.map((n) => `\`${n.key}\`: the full ${rowName(n.serializer)} row`).join("; ")
      : "none";
    const project = a.organizationOnly ? "none (organization-only: a project is `ORGANIZATION_ONLY_ACTION`)" : "the [Project](#project-rows) row (absent or null: organization webhooks only)";
    L.push(`| [${a.action}](events.md#${a.action.toLowerCase()}) | \`${a.key}\` in the body | ${rows} | ${nested} | ${project} |`);
  }
  L.push(`
\`instance\` absent or null sends \`{"action": ...}\` alone (warning \`NO_INSTANCE\`); an empty list sends
nothing (\`EMPTY_INSTANCE\`). An [Id](#id-rows) row may also be the bare id (a number or a \`BigInt\`). A
custom emit (\`emit_webhooks\`) gives \`payload\` instead of \`instance\`: an object sent as it is.

## Rules for every row

- **Names** are Label Studio's field names. A foreign key may also be named by its database column
  (\`project_id\` for \`project\`); both are listed below.
- **A field the row lacks**: a nullable field renders \`null\`; a field marked *only when present* (declared
  read-only on the serializer: ${onlyWhenPresent}) is left out of the body, as Label Studio leaves it out when
  its row lacks it; any other field is **required**: the event throws \`INVALID_ROW\` with the first missing
  field's path (\`instance[3].created_at\`), its message naming the others.
- **\`null\`** renders \`null\` for any field but a many-to-many one, as DRF renders \`None\` (a database column
  that is not nullable never holds it; a body with \`null\` there is refused by \`parseWebhook\` and the
  schemas).
- **Other keys** are ignored: a row may carry any other columns (an ORM model, a query result). In
  TypeScript, an object *literal* with an unknown key fails to compile (a typo); a variable does not.
- **Rows as objects of classes** (ORM models) are read through the getters their classes define.
- An int past 2^53 is exact only on the exact paths: the event as JSON text or UTF-8 bytes, or the value
  as a \`BigInt\` or a decimal string (\`JSON.parse\` has already rounded it).

## What each kind of field takes

| kind | in the body | a row gives |
|---|---|---|`);
  for (const k of Object.keys(KIND_INPUT).filter((k) => kinds.has(k))) {
    L.push(`| \`${k}\` | ${KIND_TYPE[k]} | ${cell(KIND_INPUT[k])} |`);
  }
  // Which actions need a field as the full row.
  const fullIn = {};
  for (const a of acts) {
    for (const n of a.nestedFields) {
      ((fullIn[a.serializer] ||= {})[n.key] ||= []).push({ action: a.action, serializer: n.serializer });
    }
  }
  for (const s of sers) {
    L.push("");
    L.push(`## ${OBJECT_TITLES[s.id].replace(/ object$/, "")} rows`);
    L.push("");
    const link = (a) => `[${a.action}](events.md#${a.action.toLowerCase()})`;
    const uses = [];
    const asInstance = acts.filter((a) => a.serializer === s.id);
    if (asInstance.length) uses.push(`the \`instance\` of ${asInstance.map(link).join(", ")}`);
    for (const a of acts) for (const x of a.nestedFields.filter((x) => x.serializer === s.id)) uses.push(`nested as \`${x.key}\` in ${link(a)}`);
    if (s.id === "project") uses.push("the event's `project` of every action that is not organization-only");
    L.push(`\`${s.class}\` (${s.model === "(any)" ? "any model" : `model \`${s.model}\``}): ${uses.join("; ")}. Rendered as the [${OBJECT_TITLES[s.id]}](events.md#${anchor(OBJECT_TITLES[s.id])}).`);
    L.push("");
    if (s.id === "only_id") {
      L.push("Only `id` is read: a row with an `id` (any other keys ignored), or the bare id, a number or a `BigInt`.");
      L.push("");
    }
    L.push("| field | also named | kind | nullable | when the row lacks it | notes |");
    L.push("|---|---|---|---|---|---|");
    for (const f of s.fields) {
      const full = fullIn[s.id]?.[f.name];
      const alwaysFull = full && !acts.some((a) => a.serializer === s.id && !a.nestedFields.some((n) => n.key === f.name));
      const lacks = rendersOnlyWhenPresent(f) ? "*only when present*: left out of the body"
        : f.nullable && f.kind !== "many_to_many" && !alwaysFull ? "renders `null`" : "**required** (`INVALID_ROW`)";
      const notes = [];
      if (full) {
        notes.push(`In ${full.map((x) => `[${x.action}](events.md#${x.action.toLowerCase()})`).join(", ")}: the full ${rowName(full[0].serializer)} row (missing, null or an id alone is \`INVALID_ROW\`)${
          alwaysFull ? "" : "; elsewhere an id or a row"}.`);
      }
      if (FIELD_INPUT_NOTES[s.id]?.[f.name]) notes.push(FIELD_INPUT_NOTES[s.id][f.name]);
      L.push(`| \`${f.name}\` | ${f.column ? `\`${f.column}\`` : ""} | \`${f.kind}\` | ${f.nullable ? "yes" : "no"} | ${lacks} | ${cell(notes.join(" "))} |`);
    }
  }
  return L.join("\n") + "\n";
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
  parts.push(signingSection());
  parts.push(schemasSection(acts));
  const files = { "docs/events.md": parts.join("\n\n") + "\n" };
  files[INPUT_ROWS_FILE] = inputRows(lib);
  files[BODY_TYPES_FILE] = bodyTypes(lib);
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

module.exports = { generate, reindent, orderSchema, bodyTypes, inputRows, EMITTED_FROM, BODY_TYPES_FILE, INPUT_ROWS_FILE };

if (require.main === module) main(process.argv.slice(2));
