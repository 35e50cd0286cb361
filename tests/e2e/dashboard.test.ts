// The leadership dashboard in headless Chromium: a real hub with a small pilot created through GraphQL, the page
// opened with a LEADERSHIP token in the URL fragment, its figures compared with pilotMetrics, its charts drawn,
// no console error and no failed request; screenshots at laptop and phone size go to test-artifacts/ (git-ignored).
// Skipped, with a message, where /usr/bin/chromium is missing (.ci/run installs it: apt-get install -y chromium).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

import { setMinimumCellSize } from "../factories/metrics";
import { DATASET_WINDOW, HEADLINE_FIELDS, PILOT_METRICS, seedMetricsDataset } from "../factories/metrics-dataset";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../helpers/test-hub";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "..", "..", "test-artifacts");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `tests/e2e/dashboard.test.ts SKIPPED: no Chromium at ${CHROMIUM}. Install it with "apt-get update && apt-get install -y chromium" (.ci/run does this) to run the browser test.`,
  );
}
const describeBrowser = hasChromium ? describe : describe.skip;

type Metrics = Record<(typeof HEADLINE_FIELDS)[number], string | number>;

interface Watched {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors, failed requests and HTTP errors seen so far. */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
}

describeBrowser("leadership dashboard in headless Chromium", () => {
  let t: TestHub;
  let browser: Browser;
  let leadership: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestHub();
    await setMinimumCellSize(t, 1); // the figures on the page are compared exactly; the notice test sets 5
    await seedMetricsDataset(t);
    leadership = await t.token("LEADERSHIP");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (t) await expectLedgerBalanced(t);
    await t?.close();
  });

  async function open(
    path: string,
    viewport = { width: 1280, height: 800 },
    prepare?: (page: Page) => Promise<unknown>,
  ): Promise<Watched> {
    const context = await browser.newContext({
      viewport,
      deviceScaleFactor: 1,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await prepare?.(page);
    await page.goto(`${t.url}${path}`);
    return { page, context, problems, requests };
  }

  async function pilotMetrics(vars: Record<string, unknown>): Promise<Metrics> {
    const res = await t.gql<{ pilotMetrics: Metrics }>(PILOT_METRICS, vars, { as: "LEADERSHIP" });
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.pilotMetrics;
  }

  /** Every chart container holds a drawn canvas (or svg) of non-zero size. */
  async function chartSizes(page: Page): Promise<Record<string, { width: number; height: number } | null>> {
    return page.$$eval(".chart", (charts) =>
      Object.fromEntries(
        charts.map((c) => {
          const drawn = c.querySelector("canvas, svg");
          const box = drawn?.getBoundingClientRect();
          return [c.id, box ? { width: Math.round(box.width), height: Math.round(box.height) } : null];
        }),
      ),
    );
  }

  it("shows pilotMetrics' headline figures, draws every chart, and logs no error (1280×800)", async () => {
    const expected = await pilotMetrics(DATASET_WINDOW);
    expect(expected.enrolledTotal).toBe(6);
    const { page, context, problems, requests } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${leadership}`,
    );
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length === 4);

    for (const field of HEADLINE_FIELDS) {
      const shown = await page.$$eval(`[data-metric="${field}"]`, (els) => els.map((e) => e.textContent));
      expect([field, shown]).toEqual([field, [String(expected[field])]]);
    }
    expect(await page.textContent('[data-display="depositAmount"]')).toBe("3.31");
    expect(await page.textContent('[data-unit="depositAmount"]')).toBe("万元");
    // Thousands separators are drawn by CSS around groups of digits, so the element's text stays the plain number.
    expect(
      await page.$eval('[data-metric="depositAmount"]', (e) =>
        Array.from(e.querySelectorAll(".g")).map((g) => [g.textContent, getComputedStyle(g, "::before").content]),
      ),
    ).toEqual([["100", '","']]);
    expect(await page.textContent("#period-label")).toContain("2026年7月 — 2027年6月");
    expect(await page.inputValue("#from")).toBe("2026-07");
    expect(await page.isHidden("#suppressed-notice")).toBe(true); // minimum cell size 1: nothing withheld

    const sizes = await chartSizes(page);
    expect(Object.keys(sizes).sort()).toEqual(["chart-county", "chart-form", "chart-ratio", "chart-trend"]);
    for (const [id, size] of Object.entries(sizes)) {
      expect([id, size && size.width > 100 && size.height > 100]).toEqual([id, true]);
    }

    // The token left the address bar at once and never travelled in a URL; nothing was fetched from elsewhere.
    expect(page.url()).toBe(`${t.url}/dashboard?from=2026-07&to=2027-06`);
    expect(requests.filter((u) => u.includes(leadership))).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(t.url) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual(
      [],
    );
    expect(await page.evaluate(() => document.body.innerText)).not.toContain("测试人员"); // aggregates only

    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280x800.png") });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280x800-full.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("narrows to a county from the selector and keeps the window in the address bar", async () => {
    const expected = await pilotMetrics({ ...DATASET_WINDOW, countyCode: "140502" });
    const { page, context, problems } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${leadership}`,
    );
    await page.waitForSelector('body[data-state="ready"]');
    await page.selectOption("#county", "140502");
    await page.waitForFunction(
      () => document.querySelector("#scope-label")?.textContent === "城区" && document.body.dataset.state === "ready",
    );
    for (const field of HEADLINE_FIELDS)
      expect([field, await page.textContent(`[data-metric="${field}"]`)]).toEqual([field, String(expected[field])]);
    expect(page.url()).toBe(`${t.url}/dashboard?from=2026-07&to=2027-06&countyCode=140502`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("downloads the CSV and the Excel workbook from its buttons", async () => {
    const { page, context, problems } = await open(`/dashboard?from=2026-08&to=2026-09#token=${leadership}`);
    await page.waitForSelector('body[data-state="ready"]');
    for (const [button, name] of [
      ["#export-csv", "试点统计_2026-08_2026-09.csv"],
      ["#export-xlsx", "试点统计_2026-08_2026-09.xlsx"],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
      expect(download.suggestedFilename()).toBe(name);
      const file = readFileSync((await download.path())!);
      expect(name.endsWith(".csv") ? [...file.subarray(0, 3)] : file.subarray(0, 2).toString()).toEqual(
        name.endsWith(".csv") ? [0xef, 0xbb, 0xbf] : "PK",
      );
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it("fits a phone-width screen (390×844): one column, no sideways scrolling, charts drawn", async () => {
    const { page, context, problems } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${leadership}`,
      { width: 390, height: 844 },
    );
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length === 4);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const [id, size] of Object.entries(await chartSizes(page))) {
      expect([id, size && size.width > 200 && size.width <= 390 && size.height > 100]).toEqual([id, true]);
    }
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-390x844.png") });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-390x844-full.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows empty states, not broken charts, for a window without any activity", async () => {
    const { page, context, problems } = await open(`/dashboard?from=2025-01&to=2025-06#token=${leadership}`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length === 4);
    for (const field of HEADLINE_FIELDS) {
      expect([field, await page.textContent(`[data-metric="${field}"]`)]).toEqual([
        field,
        field === "loanToDepositRatio" ? "0.0000" : /Amount$/.test(field) ? "0.00" : "0",
      ]);
    }
    for (const [id, size] of Object.entries(await chartSizes(page)))
      expect([id, Boolean(size && size.width > 100)]).toEqual([id, true]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-empty.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each([
    ["0.4213", "NORMAL", "运行正常", "ok", "距预警线 42.87 个百分点"],
    ["0.9012", "WARNING", "达到预警线", "warn", "超出预警线 5.12 个百分点"],
    ["0.9650", "ALARM", "达到警戒线", "alarm", "超出警戒线 1.50 个百分点"],
  ])(
    "reads a loan-to-deposit ratio of %s (%s) against the 85 %% / 95 %% lines",
    async (ratio, liquidityLevel, status, level, gap) => {
      // The dataset has no loans (ratio 0.0000): the page gets a real answer with the ratio and the hub's level changed.
      const withRatio = (page: Page) =>
        page.route("**/graphql", async (route) => {
          const answer = await route.fetch();
          const body = (await answer.json()) as { data: { pilotMetrics: Record<string, unknown> } };
          body.data.pilotMetrics.loanToDepositRatio = ratio;
          body.data.pilotMetrics.liquidityLevel = liquidityLevel;
          await route.fulfill({ response: answer, json: body });
        });
      const { page, context, problems } = await open(
        `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${leadership}`,
        undefined,
        withRatio,
      );
      await page.waitForSelector('body[data-state="ready"]');
      expect(await page.textContent('[data-metric="loanToDepositRatio"]')).toBe(ratio);
      expect(await page.textContent("#ratio-status")).toBe(status);
      expect(await page.getAttribute("#ratio-status", "class")).toBe(`ratio-status ${level}`);
      expect(await page.textContent("#ratio-gap")).toBe(gap);
      if (level === "alarm")
        await page.locator(".panel-ratio").screenshot({ path: join(ARTIFACTS, "dashboard-ratio-alarm.png") });
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it("defaults to the current settlement year in Asia/Shanghai when the URL gives no window", async () => {
    const { page, context, problems } = await open(`/dashboard#token=${leadership}`);
    await page.waitForSelector('body[data-state="ready"]');
    const today = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
    }).format(new Date());
    const [year, month] = today.split("-").map(Number) as [number, number];
    const start = month >= 7 ? year : year - 1;
    expect([await page.inputValue("#from"), await page.inputValue("#to")]).toEqual([`${start}-07`, `${start + 1}-06`]);
    expect(await page.textContent("#period-label")).toContain("本结算年度");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the sign-in box without a token, and the figures once a token is pasted", async () => {
    const { page, context, problems, requests } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}`,
    );
    await page.waitForSelector('body[data-state="signin"]');
    expect(await page.isVisible("#signin")).toBe(true);
    expect(await page.isVisible("#board")).toBe(false);
    expect(await page.isVisible("#toolbar")).toBe(false);
    expect(requests.some((u) => u.endsWith("/graphql"))).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-signin.png") });
    await page.fill("#token-input", leadership);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.textContent('[data-metric="enrolledTotal"]')).toBe("6");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("tells a WORKER that the page is not for them", async () => {
    const worker = await t.token("WORKER");
    const { page, context, problems } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${worker}`,
    );
    await page.waitForSelector('body[data-state="forbidden"]');
    expect(await page.isVisible("#forbidden")).toBe(true);
    expect(await page.textContent("#forbidden")).toContain("无权查看试点统计数据");
    expect(await page.isVisible("#board")).toBe(false);
    expect(await page.$$eval("[data-metric]", (els) => els.every((e) => e.textContent === ""))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-forbidden.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("sends a refused token back to the sign-in box", async () => {
    const { page, context } = await open(`/dashboard?from=2026-07&to=2026-08#token=not-a-valid-token`);
    await page.waitForSelector('body[data-state="signin"]');
    expect(await page.textContent("#notice-text")).toContain("访问令牌无效或已过期");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  });

  // Last in the file: it raises the minimum cell size for the tests after it.
  it("says in a visible Chinese notice that small cells were withheld (minimum cell size 5)", async () => {
    await setMinimumCellSize(t, 5);
    // Every county x form cell of the dataset holds one person and every month at most two payments, so with a
    // minimum of 5 every figure is withheld: the city's answer is zero throughout, and says so.
    const res = await t.gql<{ pilotMetrics: { suppressed: boolean; enrolledTotal: number; depositAmount: string } }>(
      PILOT_METRICS,
      DATASET_WINDOW,
      { as: "LEADERSHIP" },
    );
    expect(res.body.data!.pilotMetrics).toMatchObject({ suppressed: true, enrolledTotal: 0, depositAmount: "0.00" });
    const { page, context, problems } = await open(
      `/dashboard?from=${DATASET_WINDOW.from}&to=${DATASET_WINDOW.to}#token=${leadership}`,
    );
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForSelector("#suppressed-notice", { state: "visible" });
    const notice = (await page.textContent("#suppressed-notice"))!;
    expect(notice).toContain("为保护个人信息，人数少于最小统计单元（政策参数 metrics.minCellSize）的统计单元已隐去");
    expect(notice).toContain("SUPPRESSED");
    expect(await page.textContent('[data-metric="enrolledTotal"]')).toBe("0");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-suppressed.png") });
    expect(problems).toEqual([]);
    await context.close();
    await setMinimumCellSize(t, 1);
  });

  it("serves the page under a strict CSP with ECharts from the hub, and nothing from elsewhere", async () => {
    const res = await fetch(`${t.url}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(html).not.toMatch(/<script(?![^>]*(\bsrc=|type="application\/json"))/); // no inline script
    const echarts = await fetch(`${t.url}/dashboard/assets/echarts.min.js`);
    expect(echarts.status).toBe(200);
    expect(echarts.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${t.url}/dashboard/assets/../../package.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/dashboard/assets/nothing.js`)).status).toBe(404);
  });
});
