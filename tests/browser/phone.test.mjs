// The payload preview on a phone: Debian's headless Chromium emulating a phone
// (touch, the page's meta viewport honoured) at 390x844 and 360x740.
//
//   node --test tests/browser/
//
// The page must fit the width (no horizontal scrolling of the page: long bodies,
// URLs and headers wrap or scroll inside their own boxes), the action picker must
// be on screen at load and the first delivery reachable by scrolling down.
// LS_WEBHOOKS_UPDATE_SCREENSHOT=1 also writes docs/preview-phone.png (390x844).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ARGS, CHROMIUM, SHOT_DIR, chromium, keepOffline, root, servePreview, setEvent, waitBuilt, watchErrors } from "./chromium.mjs";

const T = { timeout: 90_000 };
const PHONES = [
  { name: "390x844", viewport: { width: 390, height: 844 } },
  { name: "360x740", viewport: { width: 360, height: 740 } },
];

let server, origin, pageUrl, browser;
const consoleErrors = [];
const offsite = [];

before(async () => {
  ({ server, pageUrl, origin } = await servePreview());
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.close();
});

/** A phone: a touch screen whose layout viewport follows <meta name="viewport">. */
async function phone(viewport) {
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await keepOffline(context, origin, offsite);
  const page = await context.newPage();
  watchErrors(page, consoleErrors);
  return { context, page };
}

/**
 * The page's width against the window's. A phone zooms out to show a page wider than
 * the screen, which widens innerWidth too: the screen's width is checked as well.
 */
async function assertFitsWidth(p, width, what) {
  const m = await p.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    scale: window.visualViewport ? window.visualViewport.scale : 1,
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).replace(/ /g, ".") : ""}`),
  }));
  assert.equal(m.innerWidth, width, `${what}: the layout viewport is the screen's width (not zoomed out)`);
  assert.equal(m.scale, 1, `${what}: not zoomed`);
  assert.ok(m.scrollWidth <= m.innerWidth,
    `${what}: no horizontal scrolling (page ${m.scrollWidth}px, window ${m.innerWidth}px; too wide: ${m.wide.join(", ")})`);
}

/** The element's box lies within the viewport (fully). */
async function assertInViewport(locator, viewport, what) {
  const box = await locator.boundingBox();
  assert.ok(box, `${what}: rendered`);
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
    `${what}: within the ${viewport.width}x${viewport.height} viewport (${JSON.stringify(box)})`);
}

for (const { name, viewport } of PHONES) {
  test(`phone ${name}: fits the width, the picker is on screen, the first delivery is reachable`, T, async () => {
    const { context, page } = await phone(viewport);
    try {
      await page.goto(`${pageUrl}#action=TASKS_CREATED`);
      await waitBuilt(page, 0);
      await assertFitsWidth(page, viewport.width, "at load");

      // The picker: on screen at load, usable.
      const picker = page.locator("select#action");
      assert.ok(await picker.isVisible() && await picker.isEnabled());
      await assertInViewport(picker, viewport, "the action picker at load");
      await assertInViewport(page.locator("label[for=action]"), viewport, "the picker's label at load");
      const editor = await page.locator("textarea#event").boundingBox();
      assert.ok(editor.width >= viewport.width - 60 && editor.height >= 250, `the editor is large enough (${JSON.stringify(editor)})`);

      // The first delivery, after scrolling to it: its head, and its buttons, on screen.
      const first = page.locator("[data-testid=delivery]").first();
      await first.scrollIntoViewIfNeeded();
      assert.ok(await first.isVisible());
      await assertInViewport(first.locator(".d-head"), viewport, "the first delivery's url");
      for (const button of ["Raw", "Pretty", "Copy body", "Copy curl"]) {
        await assertInViewport(first.getByRole("button", { name: button, exact: true }), viewport, `the first delivery's ${button}`);
      }
      // The body scrolls in its own box, wrapped or not.
      await first.getByRole("button", { name: "Pretty", exact: true }).tap();
      assert.ok(await first.locator("pre.pretty").isVisible());
      await assertFitsWidth(page, viewport.width, "with the pretty body");

      // Another action from the picker.
      const rev = await page.$eval("#result", (r) => Number(r.dataset.revision));
      await picker.selectOption("ANNOTATION_CREATED");
      await waitBuilt(page, rev);
      await assertFitsWidth(page, viewport.width, "ANNOTATION_CREATED");

      if (name === "390x844") {
        await page.goto("about:blank");
        await page.goto(`${pageUrl}#action=TASKS_CREATED`);
        await waitBuilt(page, 0);
        fs.mkdirSync(SHOT_DIR, { recursive: true });
        const shot = path.join(SHOT_DIR, "preview-phone.png");
        await page.screenshot({ path: shot });
        assert.ok(fs.statSync(shot).size > 10_000, "a real screenshot");
        if (process.env.LS_WEBHOOKS_UPDATE_SCREENSHOT === "1") fs.copyFileSync(shot, path.join(root, "docs", "preview-phone.png"));
      }
    } finally {
      await context.close();
    }
  });
}

test("phone: long urls, headers, skip reasons and errors wrap inside their boxes", T, async () => {
  const { context, page } = await phone(PHONES[1].viewport);
  try {
    await page.goto(`${pageUrl}#action=ANNOTATION_CREATED`);
    await waitBuilt(page, 0);
    const ev = JSON.parse(fs.readFileSync(path.join(root, "samples", "events", "ANNOTATION_CREATED.json"), "utf8"));
    const hook = { id: 1, organization: 1, project: null, send_payload: true, send_for_all_actions: true,
      is_active: true, actions: [], headers: {} };
    ev.webhooks = [
      { ...hook, url: `https://ok.example.com/${"long-path-segment".repeat(12)}?q=${"x".repeat(90)}`,
        headers: { [`X-${"Long-Header-Name".repeat(5)}`]: "v".repeat(120) } },
      { ...hook, id: 2, url: `http://127.0.0.1/${"z".repeat(150)}` }, // skipped (SSRF), its url in the reason
    ];
    await setEvent(page, JSON.stringify(ev, null, 2));
    assert.equal(await page.locator("[data-testid=delivery]").count(), 1);
    assert.equal(await page.locator("[data-testid=skipped]").count(), 1);
    await page.locator("[data-testid=delivery]").getByRole("button", { name: "Pretty", exact: true }).tap();
    await assertFitsWidth(page, PHONES[1].viewport.width, "long values");

    // An error at a long field path, and malformed JSON.
    ev.webhooks = [{ ...hook, headers: { [`X-${"Long".repeat(40)}`]: 5 } }];
    ev.annotation = { ...ev.annotation, [`${"unknown_field".repeat(10)}`]: 1, created_at: 5 };
    await setEvent(page, JSON.stringify(ev, null, 2));
    await setEvent(page, JSON.stringify(ev).slice(0, 300) + "x".repeat(200));
    assert.equal(await page.locator("[data-testid=error]").count(), 1);
    await assertFitsWidth(page, PHONES[1].viewport.width, "an error");
  } finally {
    await context.close();
  }
});

test("widths between a phone and the desktop do not scroll sideways", T, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(`${pageUrl}#action=ANNOTATIONS_CREATED`);
    await waitBuilt(page, 0);
    for (const width of [360, 480, 600, 601, 768, 900, 901, 1024, 1100, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await assertFitsWidth(page, width, `${width}px`);
    }
  } finally {
    await context.close();
  }
});

test("phone: no console errors, and no request left the loopback server", T, () => {
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(offsite, []);
});
