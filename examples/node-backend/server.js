// A small Label Studio-like API that sends Label Studio 1.23.2 webhooks.
// Each handler changes the store and answers; only then is the event turned into a
// plan (buildDeliveries: fast, synchronous) and handed to the background deliverer
// (deliver.js: one queue per target), so a slow or dead webhook never slows the API,
// nor the other webhooks.
import http from "node:http";
import { pathToFileURL } from "node:url";
import { buildDeliveries } from "ls-webhooks";
import { createStore } from "./store.js";
import { createDeliverer, createQueueDeliverer } from "./deliver.js";

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function createApp({ store = createStore(), deliver = createDeliverer(), webhookOptions = {}, log = console.error } = {}) {
  const found = (row, what) => { if (!row) throw new HttpError(404, `${what} not found`); return row; };

  // [method, path, handler(params, body) => [status, response, event?]]
  const routes = [
    ["GET", /^\/api\/webhooks$/, () => [200, [...store.webhooks.values()]]],
    ["POST", /^\/api\/webhooks$/, (_, body) => [201, store.addWebhook(body)]],
    ["POST", /^\/api\/projects$/, (_, body) => {
      const project = store.addProject(body);
      return [201, project, ["PROJECT_CREATED", null, store.project(project.id)]];
    }],
    ["GET", /^\/api\/projects\/(\d+)$/, ([id]) => [200, found(store.project(id), "project")]],
    ["POST", /^\/api\/projects\/(\d+)\/import$/, ([id], body) => {
      found(store.project(id), "project");
      const tasks = store.importTasks(id, Array.isArray(body) ? body : [body]);
      return [201, { task_count: tasks.length, task_ids: tasks.map((t) => t.id) }, ["TASKS_CREATED", store.project(id), tasks]];
    }],
    ["POST", /^\/api\/tasks\/(\d+)\/annotations$/, ([id], body) => {
      const annotation = store.addAnnotation(found(store.task(id), "task"), body);
      return [201, annotation, ["ANNOTATION_CREATED", store.project(annotation.project_id), annotation]];
    }],
    ["PATCH", /^\/api\/annotations\/(\d+)$/, ([id], body) => {
      const annotation = store.updateAnnotation(found(store.annotation(id), "annotation"), body);
      return [200, annotation, ["ANNOTATION_UPDATED", store.project(annotation.project_id), annotation]];
    }],
    ["DELETE", /^\/api\/tasks\/(\d+)$/, ([id]) => {
      const task = store.deleteTask(found(store.task(id), "task").id);
      return [204, null, ["TASKS_DELETED", store.project(task.project_id), [{ id: task.id }]]];
    }],
  ];

  function emit([action, project, instance]) {
    try {
      const plan = buildDeliveries({ action, organization: store.organization, project, instance,
        webhooks: [...store.webhooks.values()], options: webhookOptions });
      if (plan.deliveries.length || plan.skipped.length) deliver(plan);
    } catch (e) {
      log(`${action}: no webhooks sent: ${e.code} at ${e.path}: ${e.detail}`); // a bug in our rows
    }
  }

  async function readJson(req) {
    let text = "";
    for await (const chunk of req) text += chunk;
    try { return text ? JSON.parse(text) : {}; } catch { throw new HttpError(400, "body is not JSON"); }
  }

  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    let status, response, event;
    try {
      const route = routes.find(([method, re]) => method === req.method && re.test(pathname));
      if (!route) throw new HttpError(404, "no such endpoint");
      const params = route[1].exec(pathname).slice(1).map(Number);
      [status, response, event] = route[2](params, await readJson(req));
    } catch (e) {
      if (!(e instanceof HttpError)) log(e);
      [status, response] = [e.status ?? 500, { error: e.message }];
    }
    if (response === null) res.writeHead(status).end();
    else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(response));
    if (event) emit(event); // after the answer
  });
  return { server, store, deliver };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 8080);
  // Label Studio blocks webhooks to localhost and private IPs by default; so do we.
  const ssrfProtection = process.env.SSRF_PROTECTION_ENABLED !== "false";
  // In process by default; with REDIS_URL, enqueued for `ls-webhooks worker --redis $REDIS_URL`.
  const deliver = process.env.REDIS_URL
    ? await createQueueDeliverer({ redisUrl: process.env.REDIS_URL })
    : createDeliverer();
  const { server } = createApp({ webhookOptions: { ssrfProtection }, deliver });
  server.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}/api/`));
  // A graceful stop: no new requests, then the webhooks already queued are sent (or time out).
  const stop = async (signal) => {
    console.log(`${signal}: stopping; sending the ${deliver.stats().queued} queued webhooks first`);
    server.close();
    server.closeIdleConnections();
    await deliver.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
