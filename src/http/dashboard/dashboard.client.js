// 试点运行监测 · the leadership dashboard in the browser (plain JS, no build step, runs under a strict CSP).
// Signs in with a bearer token (from the URL fragment or the sign-in box; kept in sessionStorage, never put in
// a URL sent to the server), asks POST /graphql for pilotMetrics and draws the figures and charts with ECharts.
(function () {
  "use strict";

  const TOKEN_KEY = "hpf-hub.dashboard.token";
  const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
  const MAX_MONTHS = 120;
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const WARNING = Number(config.warningRatio);
  const ALARM = Number(config.alarmRatio);
  const COLORS = {
    blue: "#1f5fbf",
    teal: "#1b9aa0",
    red: "#c8102e",
    amber: "#e08a1e",
    ok: "#2e8b57",
    warn: "#f0a020",
    alarm: "#d23c3c",
    ink: "#1b2533",
    muted: "#66758a",
    line: "#e3e8f0",
  };
  const FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif';

  const QUERY = `query DashboardPilotMetrics($from: YearMonth!, $to: YearMonth!, $countyCode: String) {
  pilotMetrics(from: $from, to: $to, countyCode: $countyCode) {
    from to enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount
    loanCount loanAmount graduateSubsidyAmount interestSubsidyAmount interestAmount duplicateBlocks loanToDepositRatio suppressed
    liquidityLevel loanApplications loanOverdueCount
    monthly { period enrolled depositAmount withdrawalAmount }
    byCounty { key activeAccounts depositAmount }
    byEmploymentForm { key activeAccounts depositAmount }
  }
}`;

  const $ = (id) => document.getElementById(id);
  const els = {
    board: $("board"),
    signin: $("signin"),
    forbidden: $("forbidden"),
    forbiddenChange: $("forbidden-change"),
    toolbar: $("toolbar"),
    session: $("session"),
    notice: $("notice"),
    noticeText: $("notice-text"),
    retry: $("retry"),
    filters: $("filters"),
    from: $("from"),
    to: $("to"),
    county: $("county"),
    thisYear: $("this-year"),
    signinForm: $("signin-form"),
    tokenInput: $("token-input"),
    signOut: $("sign-out"),
    period: $("period-label"),
    scope: $("scope-label"),
    updated: $("updated-label"),
    ratioStatus: $("ratio-status"),
    ratioGap: $("ratio-gap"),
    suppressed: $("suppressed-notice"),
  };
  const charts = {};
  let requestSeq = 0;

  // ---------- formatting ----------

  /** Fills `el` with a plain decimal string; CSS draws the thousands separators, so el.textContent stays plain. */
  function setPlainNumber(el, plain) {
    el.textContent = "";
    const match = /^(-?)(\d+)(\.\d+)?$/.exec(plain);
    if (!match) {
      el.textContent = plain;
      return;
    }
    const [, sign, int, frac] = match;
    if (sign) el.append(sign);
    const head = int.length % 3 || 3;
    el.append(int.slice(0, head));
    for (let i = head; i < int.length; i += 3) {
      const group = document.createElement("span");
      group.className = "g";
      group.textContent = int.slice(i, i + 3);
      el.append(group);
    }
    if (frac) el.append(frac);
  }

  const grouping = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 });
  const fixed2 = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  /** Money for a headline: 万元 from ten thousand up, otherwise 元. */
  function moneyDisplay(amount) {
    const value = Number(amount);
    if (Math.abs(value) >= 10000) return { figure: fixed2.format(value / 10000), unit: "万元" };
    return { figure: value === 0 ? "0" : fixed2.format(value), unit: "元" };
  }
  const wan = (amount) => Math.round(Number(amount) / 100) / 100; // 元 → 万元, two decimals (for charts only)
  const monthLabel = (ym) => `${Number(ym.slice(0, 4))}年${Number(ym.slice(5))}月`;

  // ---------- period and URL ----------

  /** This month in Asia/Shanghai, YYYY-MM. */
  function currentMonth() {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
    }).formatToParts(new Date());
    return `${parts.find((p) => p.type === "year").value}-${parts.find((p) => p.type === "month").value}`;
  }
  /** The current settlement year (1 July – 30 June), by today's date in Asia/Shanghai. */
  function currentSettlementYear() {
    const now = currentMonth();
    const year = Number(now.slice(0, 4));
    const start = Number(now.slice(5)) >= 7 ? year : year - 1;
    return { from: `${start}-07`, to: `${start + 1}-06` };
  }
  const monthIndex = (ym) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5)) - 1;
  /** Every month of [from, to], YYYY-MM. */
  function monthList(from, to) {
    const out = [];
    for (let i = monthIndex(from); i <= monthIndex(to); i++)
      out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`);
    return out;
  }

  function validWindow(from, to) {
    if (!MONTH.test(from) || !MONTH.test(to)) return "请选择有效的起止月份（YYYY-MM）。";
    if (monthIndex(from) > monthIndex(to)) return "起始月份不能晚于截止月份。";
    if (monthIndex(to) - monthIndex(from) + 1 > MAX_MONTHS) return `统计期间最长 ${MAX_MONTHS} 个月，请缩短查询范围。`;
    return null;
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    const fallback = currentSettlementYear();
    const from = params.get("from");
    const to = params.get("to");
    const county = params.get("countyCode") || "";
    const bad = (from || to) && validWindow(from || "", to || "");
    return {
      from: from && to && !bad ? from : fallback.from,
      to: from && to && !bad ? to : fallback.to,
      county: Object.hasOwn(config.counties, county) ? county : "",
      urlProblem: bad ? `网址中的统计期间无效（${bad}），已显示本结算年度。` : null,
    };
  }

  /** Puts the window in the address bar (never the token), so the view can be bookmarked and shared. */
  function writeUrl(state) {
    const params = new URLSearchParams({ from: state.from, to: state.to });
    if (state.county) params.set("countyCode", state.county);
    history.replaceState(null, "", `${location.pathname}?${params}`);
  }

  function currentState() {
    return { from: els.from.value, to: els.to.value, county: els.county.value };
  }
  function showState(state) {
    els.from.value = state.from;
    els.to.value = state.to;
    els.county.value = state.county;
  }

  // ---------- token ----------

  /** Takes `#token=…` out of the address bar at once and keeps it for this tab only. */
  function adoptFragmentToken() {
    if (!location.hash) return;
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    history.replaceState(null, "", location.pathname + location.search);
    if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
  }
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  // ---------- views ----------

  function setView(state) {
    document.body.dataset.state = state;
    const signedIn = Boolean(token());
    els.signin.hidden = state !== "signin";
    els.forbidden.hidden = state !== "forbidden";
    els.toolbar.hidden = !signedIn || state === "signin" || state === "forbidden";
    els.session.hidden = !signedIn;
    els.board.hidden = !(state === "ready" || (state === "loading" && els.board.dataset.loaded === "1"));
    if (!els.board.hidden) resizeCharts();
  }

  function notice(text, options = {}) {
    if (!text) {
      els.notice.hidden = true;
      return;
    }
    els.noticeText.textContent = text;
    els.notice.classList.toggle("info", Boolean(options.info));
    els.retry.hidden = !options.retry;
    els.notice.hidden = false;
  }

  function signInView(message) {
    setView("signin");
    notice(message || null, { info: !message });
    els.tokenInput.value = "";
    els.tokenInput.focus();
  }

  // ---------- data ----------

  async function load() {
    const state = currentState();
    const problem = validWindow(state.from, state.to);
    if (problem) {
      notice(problem, { info: true });
      return;
    }
    writeUrl(state);
    const bearer = token();
    if (!bearer) return signInView(null);
    const seq = ++requestSeq;
    setView("loading");
    let body;
    try {
      const res = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${bearer}` },
        body: JSON.stringify({
          query: QUERY,
          variables: { from: state.from, to: state.to, countyCode: state.county || null },
        }),
      });
      body = await res.json();
    } catch {
      if (seq !== requestSeq) return;
      setView("error");
      return notice("无法连接数据共享平台，请检查网络后重新加载。", { retry: true });
    }
    if (seq !== requestSeq) return;
    const error = body && body.errors && body.errors[0];
    if (error) return showError(error);
    if (!body || !body.data || !body.data.pilotMetrics) {
      setView("error");
      return notice("数据加载失败：服务器未返回统计数据，请稍后重新加载。", { retry: true });
    }
    notice(null);
    render(body.data.pilotMetrics, state);
  }

  function showError(error) {
    const code = error.extensions && error.extensions.code;
    if (code === "UNAUTHENTICATED") {
      sessionStorage.removeItem(TOKEN_KEY);
      return signInView("访问令牌无效或已过期，请重新登录。");
    }
    if (code === "FORBIDDEN") {
      notice(null);
      return setView("forbidden");
    }
    setView(els.board.dataset.loaded === "1" ? "ready" : "error");
    if (code === "BAD_USER_INPUT") return notice(`查询条件有误：${error.message}`, { info: true });
    notice(`数据加载失败（${code || "未知错误"}），请稍后重新加载。`, { retry: true });
  }

  // ---------- rendering ----------

  function render(m, state) {
    for (const el of document.querySelectorAll("[data-metric]")) {
      const value = m[el.dataset.metric];
      setPlainNumber(el, value === undefined || value === null ? "" : String(value));
    }
    for (const el of document.querySelectorAll("[data-display]")) {
      const shown = moneyDisplay(m[el.dataset.display]);
      el.textContent = shown.figure;
      const unit = document.querySelector(`[data-unit="${el.dataset.display}"]`);
      if (unit) unit.textContent = shown.unit;
    }
    els.period.textContent = m.from === m.to ? monthLabel(m.from) : `${monthLabel(m.from)} — ${monthLabel(m.to)}`;
    const year = currentSettlementYear();
    if (m.from === year.from && m.to === year.to) els.period.textContent += "（本结算年度）";
    els.scope.textContent = state.county ? config.counties[state.county] : "全市";
    els.updated.textContent = `数据时间 ${new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", dateStyle: "medium", timeStyle: "short" }).format(new Date())}`;

    const ratio = Number(m.loanToDepositRatio);
    // The hub decides the level (the exact ratio against the thresholds in force at the end of the window).
    const level = { NORMAL: "ok", WARNING: "warn", ALARM: "alarm" }[m.liquidityLevel] || "ok";
    const points = (a, b) => `${(Math.round((a - b) * 10000) / 100).toFixed(2)} 个百分点`;
    els.ratioGap.textContent = {
      ok: `距预警线 ${points(WARNING, ratio)}`,
      warn: `超出预警线 ${points(ratio, WARNING)}`,
      alarm: `超出警戒线 ${points(ratio, ALARM)}`,
    }[level];
    els.ratioStatus.className = `ratio-status ${level}`;
    els.ratioStatus.textContent = { ok: "运行正常", warn: "达到预警线", alarm: "达到警戒线" }[level];

    // Small cells were withheld (a figure resting on fewer people than the minimum cell size): say so.
    els.suppressed.hidden = !m.suppressed;

    els.board.dataset.loaded = "1";
    setView("ready");
    drawTrend(m.monthly, m.from, m.to, m.suppressed);
    drawRatio(ratio, level);
    drawCounties(m.byCounty, state.county);
    drawForms(m.byEmploymentForm);
  }

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: "canvas" });
    return charts[id];
  }
  function resizeCharts() {
    for (const c of Object.values(charts)) c.resize();
  }

  const baseText = { fontFamily: FONT, color: COLORS.ink };
  const emptyGraphic = (text) => [
    { type: "text", left: "center", top: "middle", style: { text, fill: COLORS.muted, font: `14px ${FONT}` } },
  ];
  const tooltipBase = {
    backgroundColor: "rgba(255,255,255,0.97)",
    borderColor: COLORS.line,
    textStyle: { color: COLORS.ink, fontFamily: FONT, fontSize: 12 },
    extraCssText: "box-shadow:0 4px 14px rgba(15,47,102,.12);border-radius:8px;",
  };

  function drawTrend(points, from, to, suppressed) {
    // A month withheld as a small cell is not in the answer: it is a gap on the chart, like a month still to come.
    const byPeriod = new Map(points.map((p) => [p.period, p]));
    const monthly = monthList(from, to).map((period) => byPeriod.get(period) || { period, withheld: true });
    const periods = monthly.map((p) => p.period);
    const now = currentMonth();
    const upToNow = (value, p) => (p.withheld || p.period > now ? null : value); // gaps, not zeros
    const empty = points.every(
      (p) => p.enrolled === 0 && Number(p.depositAmount) === 0 && Number(p.withdrawalAmount) === 0,
    );
    chart("chart-trend").setOption(
      {
        textStyle: baseText,
        color: [COLORS.blue, "#9db7df", COLORS.red],
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        legend: { top: 4, left: "center", itemWidth: 14, itemHeight: 10, textStyle: { color: COLORS.muted } },
        tooltip: {
          ...tooltipBase,
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: (items) => {
            const lines = items.map(
              (it) =>
                `${it.marker}${it.seriesName}&nbsp;&nbsp;<b>${it.value == null ? "—" : grouping.format(it.value)}</b> ${it.seriesIndex === 2 ? "人" : "万元"}`,
            );
            return [monthLabel(periods[items[0].dataIndex]), ...lines].join("<br>");
          },
        },
        xAxis: {
          type: "category",
          data: periods,
          axisTick: { show: false },
          axisLine: { lineStyle: { color: "#c5cedb" } },
          axisLabel: {
            color: COLORS.muted,
            formatter: (ym, i) =>
              i === 0 || ym.endsWith("-01")
                ? `${Number(ym.slice(5))}月\n${ym.slice(0, 4)}`
                : `${Number(ym.slice(5))}月`,
          },
        },
        yAxis: [
          {
            type: "value",
            name: "万元",
            nameTextStyle: { color: COLORS.muted, align: "right" },
            axisLabel: { color: COLORS.muted },
            splitLine: { lineStyle: { color: "#edf1f6" } },
          },
          {
            type: "value",
            name: "人",
            minInterval: 1,
            nameTextStyle: { color: COLORS.muted, align: "left" },
            axisLabel: { color: COLORS.muted },
            splitLine: { show: false },
          },
        ],
        series: [
          {
            name: "缴存金额",
            type: "bar",
            barMaxWidth: 26,
            itemStyle: { borderRadius: [3, 3, 0, 0] },
            data: monthly.map((p) => upToNow(wan(p.depositAmount), p)),
          },
          {
            name: "提取金额",
            type: "bar",
            barMaxWidth: 26,
            itemStyle: { borderRadius: [3, 3, 0, 0] },
            data: monthly.map((p) => upToNow(wan(p.withdrawalAmount), p)),
          },
          {
            name: "新增参缴",
            type: "line",
            yAxisIndex: 1,
            symbol: "circle",
            symbolSize: 7,
            lineStyle: { width: 2.5 },
            data: monthly.map((p) => upToNow(p.enrolled, p)),
          },
        ],
        graphic: empty
          ? emptyGraphic(suppressed ? "所选期间无可公开的数据（小单元格已隐去）" : "所选期间暂无参缴和缴存记录")
          : [],
      },
      { notMerge: true },
    );
  }

  function drawRatio(ratio, level) {
    const value = Math.round(ratio * 10000) / 100;
    const max = value > 100 ? Math.ceil(value / 10) * 10 : 100;
    chart("chart-ratio").setOption(
      {
        textStyle: baseText,
        series: [
          {
            type: "gauge",
            min: 0,
            max,
            startAngle: 210,
            endAngle: -30,
            radius: "90%",
            center: ["50%", "56%"],
            splitNumber: 10,
            axisLine: {
              lineStyle: {
                width: 16,
                color: [
                  [(WARNING * 100) / max, COLORS.ok],
                  [(ALARM * 100) / max, COLORS.warn],
                  [1, COLORS.alarm],
                ],
              },
            },
            pointer: { length: "62%", width: 6, itemStyle: { color: COLORS.ink } },
            anchor: { show: true, size: 12, itemStyle: { color: COLORS.ink } },
            axisTick: { distance: -16, length: 5, lineStyle: { color: "#fff", width: 1 } },
            splitLine: { distance: -16, length: 16, lineStyle: { color: "#fff", width: 2 } },
            axisLabel: {
              distance: 22,
              color: COLORS.muted,
              fontSize: 11,
              formatter: (v) => (v % 20 === 0 ? `${v}%` : ""),
            },
            title: { show: false },
            detail: {
              valueAnimation: true,
              offsetCenter: [0, "66%"],
              formatter: (v) => `${v.toFixed(2)}%`,
              fontSize: 26,
              fontWeight: 700,
              color: { ok: COLORS.ok, warn: "#c27a0e", alarm: COLORS.alarm }[level],
              fontFamily: FONT,
            },
            data: [{ value, name: "个贷率" }],
          },
        ],
      },
      { notMerge: true },
    );
  }

  function drawCounties(groups, selected) {
    const byKey = new Map(groups.map((g) => [g.key, g]));
    // The city's answer lists every county except those withheld as small cells (not drawn, not drawn as zero);
    // a county's answer lists only that county, and the others are drawn greyed at zero around it.
    const keys = selected
      ? [...Object.keys(config.counties), ...groups.map((g) => g.key).filter((k) => !Object.hasOwn(config.counties, k))]
      : groups.map((g) => g.key);
    const rows = keys.map((key) => ({
      key,
      name: config.counties[key] || (key === "000000" ? "未登记" : key),
      group: byKey.get(key) || { activeAccounts: 0, depositAmount: "0.00" },
    }));
    const empty = rows.every((r) => Number(r.group.depositAmount) === 0);
    chart("chart-county").setOption(
      {
        textStyle: baseText,
        grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
        tooltip: {
          ...tooltipBase,
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: (items) => {
            const row = rows[items[0].dataIndex];
            return `<b>${row.name}</b>（${row.key}）<br>缴存金额&nbsp;&nbsp;<b>${fixed2.format(Number(row.group.depositAmount))}</b> 元<br>期末在缴&nbsp;&nbsp;<b>${grouping.format(row.group.activeAccounts)}</b> 户`;
          },
        },
        xAxis: {
          type: "category",
          data: rows.map((r) => r.name),
          axisTick: { show: false },
          axisLine: { lineStyle: { color: "#c5cedb" } },
          axisLabel: { color: COLORS.ink, interval: 0 },
        },
        yAxis: {
          type: "value",
          name: "万元",
          nameTextStyle: { color: COLORS.muted, align: "right" },
          axisLabel: { color: COLORS.muted },
          splitLine: { lineStyle: { color: "#edf1f6" } },
        },
        series: [
          {
            type: "bar",
            name: "缴存金额",
            barMaxWidth: 44,
            data: rows.map((r) => ({
              value: wan(r.group.depositAmount),
              itemStyle: {
                borderRadius: [4, 4, 0, 0],
                color:
                  selected && r.key !== selected
                    ? "#c9d6ea"
                    : new echarts.graphic.LinearGradient(0, 0, 0, 1, [
                        { offset: 0, color: COLORS.blue },
                        { offset: 1, color: "#7fa8e6" },
                      ]),
              },
            })),
            label: {
              show: !empty,
              position: "top",
              color: COLORS.ink,
              fontSize: 11,
              formatter: (p) => (p.value ? fixed2.format(p.value) : ""),
            },
          },
        ],
        graphic: empty ? emptyGraphic("所选期间各区县暂无缴存") : [],
      },
      { notMerge: true },
    );
  }

  function drawForms(groups) {
    const known = Object.keys(config.forms);
    const keys = [...known, ...groups.map((g) => g.key).filter((k) => !known.includes(k))];
    const byKey = new Map(groups.map((g) => [g.key, g]));
    const data = keys
      .map((key) => ({
        key,
        name: config.forms[key] || "未登记",
        group: byKey.get(key) || { activeAccounts: 0, depositAmount: "0.00" },
      }))
      .map((r) => ({ name: r.name, value: r.group.activeAccounts, deposit: r.group.depositAmount }));
    const total = data.reduce((sum, d) => sum + d.value, 0);
    const empty = total === 0;
    chart("chart-form").setOption(
      {
        textStyle: baseText,
        color: [COLORS.blue, COLORS.teal, COLORS.amber, "#8e6ccf"],
        tooltip: {
          ...tooltipBase,
          trigger: "item",
          formatter: (p) =>
            `<b>${p.name}</b><br>在缴账户&nbsp;&nbsp;<b>${grouping.format(p.value)}</b> 户（${p.percent}%）<br>缴存金额&nbsp;&nbsp;<b>${fixed2.format(Number(p.data.deposit))}</b> 元`,
        },
        legend: { bottom: 0, left: "center", itemWidth: 12, itemHeight: 12, textStyle: { color: COLORS.muted } },
        title: empty
          ? {
              text: "暂无在缴账户",
              left: "center",
              top: "middle",
              textStyle: { color: COLORS.muted, fontSize: 14, fontWeight: "normal", fontFamily: FONT },
            }
          : {
              text: grouping.format(total),
              subtext: "在缴账户（户）",
              left: "center",
              top: "38%",
              itemGap: 4,
              textStyle: { fontSize: 24, fontWeight: 700, color: COLORS.ink, fontFamily: FONT },
              subtextStyle: { color: COLORS.muted, fontSize: 12, fontFamily: FONT },
            },
        series: [
          {
            type: "pie",
            radius: ["48%", "70%"],
            center: ["50%", "46%"],
            avoidLabelOverlap: true,
            itemStyle: { borderColor: "#fff", borderWidth: 2 },
            label: { show: !empty, formatter: "{b}\n{d}%", color: COLORS.ink, fontSize: 12, lineHeight: 16 },
            labelLine: { length: 8, length2: 8 },
            data: empty ? [] : data.filter((d) => d.value > 0),
          },
        ],
      },
      { notMerge: true },
    );
  }

  // ---------- export ----------

  function fileNameOf(disposition, fallback) {
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition || "");
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/i.exec(disposition || "");
    return plain ? plain[1] : fallback;
  }

  async function download(button) {
    const bearer = token();
    if (!bearer) return signInView(null);
    const state = currentState();
    const problem = validWindow(state.from, state.to);
    if (problem) return notice(problem, { info: true });
    const format = button.dataset.format;
    const params = new URLSearchParams({ from: state.from, to: state.to });
    if (state.county) params.set("countyCode", state.county);
    const label = button.textContent;
    button.disabled = true;
    button.textContent = "正在导出…";
    try {
      const res = await fetch(`/exports/pilot-metrics.${format}?${params}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        const error = (body && body.errors && body.errors[0]) || {
          message: `HTTP ${res.status}`,
          extensions: { code: String(res.status) },
        };
        return showError(error);
      }
      const blob = await res.blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = fileNameOf(res.headers.get("content-disposition"), `pilot-metrics.${format}`);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch {
      notice("导出失败：无法连接数据共享平台，请稍后重试。", { retry: false });
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  // ---------- wiring ----------

  function start() {
    adoptFragmentToken();
    const initial = readUrl();
    showState(initial);
    els.filters.addEventListener("submit", (event) => {
      event.preventDefault();
      void load();
    });
    els.county.addEventListener("change", () => void load());
    els.thisYear.addEventListener("click", () => {
      showState({ ...currentSettlementYear(), county: els.county.value });
      void load();
    });
    els.signinForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = els.tokenInput.value.trim().replace(/^Bearer\s+/i, "");
      if (!value) {
        notice("请先粘贴访问令牌。");
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      els.tokenInput.value = "";
      void load();
    });
    const signOut = () => {
      sessionStorage.removeItem(TOKEN_KEY);
      els.board.dataset.loaded = "";
      signInView(null);
    };
    els.signOut.addEventListener("click", signOut);
    els.forbiddenChange.addEventListener("click", signOut);
    els.retry.addEventListener("click", () => void load());
    for (const button of document.querySelectorAll("[data-format]"))
      button.addEventListener("click", () => void download(button));
    window.addEventListener("resize", resizeCharts);
    if (typeof echarts === "undefined") {
      setView("error");
      return notice("图表组件加载失败，请刷新页面。", { retry: true });
    }
    if (!token()) return signInView(null);
    if (initial.urlProblem) notice(initial.urlProblem, { info: true });
    void load().then(() => {
      if (initial.urlProblem && document.body.dataset.state === "ready") notice(initial.urlProblem, { info: true });
    });
  }

  start();
})();
