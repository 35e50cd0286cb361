// GET /exports/pilot-metrics.csv|.xlsx: the same figures as the pilotMetrics query, as downloads, for the same
// roles, with the same refusals of bad windows.
import { Role } from "../../../src/auth/role";
import { DATASET_WINDOW, HEADLINE_FIELDS, PILOT_METRICS, seedMetricsDataset } from "../../factories/metrics-dataset";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";
import { sheetCells, unzip } from "../../helpers/unzip";

type Metrics = Record<(typeof HEADLINE_FIELDS)[number], string | number> & {
  monthly: { period: string; enrolled: number; depositAmount: string; withdrawalAmount: string }[];
  byCounty: { key: string; activeAccounts: number; depositAmount: string }[];
  byEmploymentForm: { key: string; activeAccounts: number; depositAmount: string }[];
};

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  await seedMetricsDataset(t);
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function metrics(vars: Record<string, unknown>): Promise<Metrics> {
  const res = await t.gql<{ pilotMetrics: Metrics }>(PILOT_METRICS, vars, { as: "LEADERSHIP" });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.pilotMetrics;
}

async function download(path: string, token: string | null | undefined = undefined) {
  const bearer = token === undefined ? await t.token("LEADERSHIP") : token;
  const res = await fetch(`${t.url}${path}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const query = (vars: Record<string, string>) => new URLSearchParams(vars).toString();
const WINDOW = query(DATASET_WINDOW);

describe("GET /exports/pilot-metrics.csv", () => {
  it("answers LEADERSHIP with an attachment in UTF-8 with a BOM, carrying the query's figures", async () => {
    const expected = await metrics(DATASET_WINDOW);
    expect(expected.depositAmount).toBe("33100.00"); // the dataset, hand-summed: 3000 + 7500 + 1000 + 2000 + 18000 + 1600
    const res = await download(`/exports/pilot-metrics.csv?${WINDOW}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="pilot-metrics_2026-07_2027-06.csv"; filename*=UTF-8''${encodeURIComponent("试点统计_2026-07_2027-06.csv")}`,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.body.subarray(3).toString("utf8").split("\r\n");
    for (const field of HEADLINE_FIELDS) {
      expect(lines.filter((l) => l.split(",")[1] === field)).toEqual([
        expect.stringMatching(new RegExp(`^[^,]+,${field},${String(expected[field]).replace(".", "\\.")},`)),
      ]);
    }
    for (const p of expected.monthly)
      expect(lines).toContain(`${p.period},${p.enrolled},${p.depositAmount},${p.withdrawalAmount}`);
    for (const g of expected.byCounty)
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${g.key},[^,]+,${g.activeAccounts},${g.depositAmount.replace(".", "\\.")}$`),
        ),
      );
    for (const g of expected.byEmploymentForm)
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${g.key},[^,]+,${g.activeAccounts},${g.depositAmount.replace(".", "\\.")}$`),
        ),
      );
    expect(lines).toContain("140581,高平市,1,18000.00");
    expect(lines).toContain("SELF_EMPLOYED,个体经营,2,2600.00");
    const sections = ["一、主要指标", "二、月度趋势", "三、分区县", "四、分就业形态"].map((s) => lines.indexOf(s));
    expect(sections).toEqual([...sections].sort((a, b) => a - b));
    expect(sections[0]).toBeGreaterThan(0);
    expect(res.body.toString("utf8")).not.toContain("测试人员"); // aggregates only: no worker's name
  });

  it("narrows to a county and names it in the file", async () => {
    const expected = await metrics({ ...DATASET_WINDOW, countyCode: "140502" });
    expect(expected.depositAmount).toBe("10500.00");
    const res = await download(`/exports/pilot-metrics.csv?${query({ ...DATASET_WINDOW, countyCode: "140502" })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain('filename="pilot-metrics_2026-07_2027-06_140502.csv"');
    const text = res.body.toString("utf8");
    expect(text).toContain("统计范围,城区（140502）");
    expect(text).toContain("缴存金额,depositAmount,10500.00,元");
    expect(text).toContain("新增参缴人数,enrolledTotal,2,人");
  });
});

describe("GET /exports/pilot-metrics.xlsx", () => {
  it("answers CENTER_ADMIN with a workbook whose sheets carry the query's figures", async () => {
    const expected = await metrics({ from: "2026-08", to: "2026-09" });
    const res = await download(
      `/exports/pilot-metrics.xlsx?${query({ from: "2026-08", to: "2026-09" })}`,
      await t.token("CENTER_ADMIN"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="pilot-metrics_2026-08_2026-09\.xlsx"/,
    );
    expect(res.body.subarray(0, 2).toString()).toBe("PK");
    const parts = unzip(res.body);
    const workbook = parts.get("xl/workbook.xml")!.data.toString("utf8");
    expect([...workbook.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "主要指标",
      "月度趋势",
      "分区县",
      "分就业形态",
    ]);

    const headline = sheetCells(parts.get("xl/worksheets/sheet1.xml")!.data.toString("utf8"));
    const byField = new Map<string, string>();
    for (const [ref, value] of headline) {
      const row = ref.replace(/^[A-Z]+/, "");
      if (ref.startsWith("B")) byField.set(value, headline.get(`C${row}`) ?? "");
    }
    for (const field of HEADLINE_FIELDS) expect([field, byField.get(field)]).toEqual([field, String(expected[field])]);
    expect(headline.get("A1")).toBe("晋城市灵活就业人员住房公积金试点统计");

    const monthly = sheetCells(parts.get("xl/worksheets/sheet2.xml")!.data.toString("utf8"));
    expect(
      [2, 3].map((r) => [
        monthly.get(`A${r}`),
        Number(monthly.get(`B${r}`)),
        monthly.get(`C${r}`),
        monthly.get(`D${r}`),
      ]),
    ).toEqual(expected.monthly.map((p) => [p.period, p.enrolled, p.depositAmount, p.withdrawalAmount]));
    const counties = sheetCells(parts.get("xl/worksheets/sheet3.xml")!.data.toString("utf8"));
    expect(expected.byCounty.map((_, i) => counties.get(`A${i + 2}`))).toEqual(expected.byCounty.map((g) => g.key));
    expect(expected.byCounty.map((_, i) => counties.get(`D${i + 2}`))).toEqual(
      expected.byCounty.map((g) => g.depositAmount),
    );
  });
});

describe("who may export", () => {
  it.each(["/exports/pilot-metrics.csv", "/exports/pilot-metrics.xlsx"])(
    "refuses %s without a token or with a bad one (401)",
    async (path) => {
      for (const token of [null, "not-a-jwt", ""]) {
        const res = await download(`${path}?${WINDOW}`, token);
        expect([token, res.status]).toEqual([token, 401]);
        expect(JSON.parse(res.body.toString("utf8")).errors[0].extensions.code).toBe("UNAUTHENTICATED");
      }
    },
  );

  const others = Object.values(Role).filter((r) => r !== Role.LEADERSHIP && r !== Role.CENTER_ADMIN);
  it.each(others)("refuses %s (403), as the pilotMetrics query does", async (role) => {
    const res = await download(`/exports/pilot-metrics.xlsx?${WINDOW}`, await t.token(role));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString("utf8")).errors[0].extensions.code).toBe("FORBIDDEN");
    const gql = await t.gql(PILOT_METRICS, DATASET_WINDOW, { as: role });
    expect(gql.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("never takes the token from the query string", async () => {
    const token = await t.token("LEADERSHIP");
    const res = await download(`/exports/pilot-metrics.csv?${WINDOW}&access_token=${token}&token=${token}`, null);
    expect(res.status).toBe(401);
  });
});

describe("bad windows", () => {
  it.each([
    ["from after to", { from: "2027-01", to: "2026-12" }],
    ["a month that does not exist", { from: "2026-13", to: "2027-01" }],
    ["a date instead of a month", { from: "2026-07-01", to: "2026-08" }],
    ["a missing month", { from: "2026-07" }],
    ["more than 120 months", { from: "2016-07", to: "2026-07" }],
    ["a county code that is not 6 digits", { from: "2026-07", to: "2026-08", countyCode: "1405" }],
  ])("refuses %s with 400 BAD_USER_INPUT", async (_why, vars) => {
    for (const ext of ["csv", "xlsx"]) {
      const res = await download(`/exports/pilot-metrics.${ext}?${query(vars as Record<string, string>)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = JSON.parse(res.body.toString("utf8"));
      expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
      expect(body.errors[0].message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it("accepts exactly 120 months", async () => {
    const res = await download(`/exports/pilot-metrics.csv?${query({ from: "2016-08", to: "2026-07" })}`);
    expect(res.status).toBe(200);
  });

  it("answers only GET (and HEAD)", async () => {
    const res = await fetch(`${t.url}/exports/pilot-metrics.csv?${WINDOW}`, {
      method: "POST",
      headers: { authorization: `Bearer ${await t.token("LEADERSHIP")}` },
    });
    expect(res.status).toBe(405);
    const head = await fetch(`${t.url}/exports/pilot-metrics.csv?${WINDOW}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${await t.token("LEADERSHIP")}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-disposition")).toMatch(/^attachment;/);
  });
});
