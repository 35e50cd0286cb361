// The HTML of /dashboard: a static shell (no data, no token), its labels taken from the same tables as the export.
// Scripts and styles are files under /dashboard/assets/, so the page runs under a strict CSP (no inline script).
import { COUNTY_NAMES, EMPLOYMENT_FORM_NAMES, HEADLINE_FIGURES, SUPPRESSED_NOTE } from "./pilot-metrics.report";

export interface DashboardPageOptions {
  /** Liquidity watch lines in force today, decimal strings ("0.85", "0.95"). */
  warningRatio: string;
  alarmRatio: string;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const label = (field: string) => HEADLINE_FIGURES.find((f) => f.field === field)?.label ?? field;

/** A big figure: a count shows the number itself; money shows 万元 big, the exact amount (the data-metric) under it. */
function card(field: string, unit: string, note: string, tone: string): string {
  const money = unit === "元";
  const figure = money
    ? `<span class="kpi-figure" data-display="${field}">—</span><span class="kpi-unit" data-unit="${field}">万元</span>`
    : `<span class="kpi-figure"><span class="num" data-metric="${field}"></span></span><span class="kpi-unit">${unit}</span>`;
  const sub = money
    ? `<span class="kpi-exact">合计 <span class="num" data-metric="${field}"></span> 元</span>`
    : `<span class="kpi-note">${esc(note)}</span>`;
  return `<article class="kpi kpi-${tone}"><h3>${esc(label(field))}</h3><p class="kpi-value">${figure}</p><p class="kpi-sub">${sub}</p></article>`;
}

function tile(field: string, unit: string): string {
  const money = unit === "元";
  const value = money
    ? `<span class="tile-figure" data-display="${field}">—</span> <span class="tile-unit" data-unit="${field}">万元</span>`
    : `<span class="tile-figure"><span class="num" data-metric="${field}"></span></span> <span class="tile-unit">${unit}</span>`;
  const exact = money ? `<span class="tile-exact"><span class="num" data-metric="${field}"></span> 元</span>` : "";
  return `<div class="tile"><span class="tile-label">${esc(label(field))}</span><span class="tile-value">${value}</span>${exact}</div>`;
}

export function dashboardPage(options: DashboardPageOptions): string {
  const config = JSON.stringify({
    counties: COUNTY_NAMES,
    forms: EMPLOYMENT_FORM_NAMES,
    warningRatio: options.warningRatio,
    alarmRatio: options.alarmRatio,
  }).replace(/</g, "\\u003c");
  const countyOptions = Object.entries(COUNTY_NAMES)
    .map(([code, name]) => `<option value="${code}">${esc(name)}</option>`)
    .join("");
  const pct = (ratio: string) => `${+(Number(ratio) * 100).toFixed(2)}%`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>试点运行监测 · 晋城市灵活就业人员住房公积金</title>
<link rel="icon" type="image/svg+xml" href="/dashboard/assets/favicon.svg">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script type="application/json" id="dashboard-config">${config}</script>
<script src="/dashboard/assets/echarts.min.js" defer></script>
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>
<body data-state="starting">
<header class="masthead">
  <div class="masthead-inner">
    <div class="brand">
      <img class="emblem" src="/dashboard/assets/favicon.svg" alt="" width="40" height="40">
      <div>
        <h1>晋城市灵活就业人员住房公积金试点</h1>
        <p>运行监测 · 试点工作领导小组</p>
      </div>
    </div>
    <div class="session" id="session" hidden>
      <span class="session-badge">已登录</span>
      <button type="button" class="link" id="sign-out">退出登录</button>
    </div>
  </div>
</header>

<nav class="toolbar" id="toolbar" hidden aria-label="查询条件">
  <form id="filters" class="filters" novalidate>
    <label>起始月份<input type="month" id="from" name="from" required></label>
    <label>截止月份<input type="month" id="to" name="to" required></label>
    <label>区县<select id="county" name="countyCode"><option value="">全市</option>${countyOptions}</select></label>
    <button type="submit" class="btn btn-primary">查询</button>
    <button type="button" class="btn" id="this-year">本结算年度</button>
  </form>
  <div class="exports">
    <button type="button" class="btn" id="export-csv" data-format="csv">导出 CSV</button>
    <button type="button" class="btn" id="export-xlsx" data-format="xlsx">导出 Excel</button>
  </div>
</nav>

<div class="container">
  <div id="notice" class="notice" role="alert" hidden>
    <p id="notice-text"></p>
    <div class="notice-actions">
      <button type="button" class="btn" id="retry" hidden>重新加载</button>
    </div>
  </div>

  <section id="signin" class="signin" hidden aria-labelledby="signin-title">
    <h2 id="signin-title">登录后查看试点统计</h2>
    <p>本页面向试点工作领导小组及公积金中心管理员开放。请粘贴统一身份认证签发的访问令牌；令牌仅保存在本浏览器标签页中，关闭后即失效。</p>
    <form id="signin-form" novalidate>
      <label for="token-input">访问令牌</label>
      <textarea id="token-input" rows="3" autocomplete="off" spellcheck="false" placeholder="eyJhbGciOi…"></textarea>
      <button type="submit" class="btn btn-primary">登录</button>
    </form>
  </section>

  <section id="forbidden" class="signin refusal" hidden aria-labelledby="forbidden-title">
    <h2 id="forbidden-title">当前账号无权查看试点统计</h2>
    <p id="forbidden-text">您的账号无权查看试点统计数据。本页面仅向试点工作领导小组和公积金中心管理员开放，如需查看请联系市住房公积金管理中心。</p>
    <button type="button" class="btn btn-primary" id="forbidden-change">更换访问令牌</button>
  </section>

  <main id="board" hidden>
    <p class="period-line"><span class="period-chip" id="period-label">—</span><span class="scope-chip" id="scope-label">全市</span><span class="updated" id="updated-label"></span></p>
    <p class="suppressed-notice" id="suppressed-notice" role="note" hidden>${esc(SUPPRESSED_NOTE)}。图表中隐去的月份留空。</p>

    <section class="kpis" aria-label="主要指标">
      ${card("enrolledTotal", "人", "统计期间新增参缴", "blue")}
      ${card("activeAccounts", "户", "截至期末正常缴存", "teal")}
      ${card("depositAmount", "元", "", "red")}
      ${card("withdrawalAmount", "元", "", "amber")}
    </section>

    <section class="tiles" aria-label="其他指标">
      ${tile("depositCount", "笔")}
      ${tile("exitedTotal", "人")}
      ${tile("graduateSubsidyAmount", "元")}
      ${tile("interestSubsidyAmount", "元")}
      ${tile("interestAmount", "元")}
      ${tile("duplicateBlocks", "次")}
    </section>

    <section class="tiles tiles-loans" aria-label="存贷挂钩贷款">
      ${tile("loanApplications", "笔")}
      ${tile("loanCount", "笔")}
      ${tile("loanAmount", "元")}
      ${tile("loanOverdueCount", "笔")}
    </section>

    <section class="panels">
      <article class="panel panel-trend">
        <header><h2>月度参缴与缴存趋势</h2><span class="panel-note">缴存、提取：万元；新增参缴：人</span></header>
        <div class="chart" id="chart-trend" role="img" aria-label="月度参缴与缴存趋势图"></div>
      </article>
      <article class="panel panel-ratio">
        <header><h2>个贷率</h2><span class="ratio-status" id="ratio-status">—</span></header>
        <div class="chart" id="chart-ratio" role="img" aria-label="个贷率仪表盘"></div>
        <p class="ratio-line">比值 <strong class="num" data-metric="loanToDepositRatio"></strong><span class="ratio-sep">·</span><span id="ratio-gap">—</span></p>
        <ul class="ratio-legend">
          <li><i class="dot dot-ok"></i>正常 &lt; ${pct(options.warningRatio)}</li>
          <li><i class="dot dot-warn"></i>预警 ≥ ${pct(options.warningRatio)}</li>
          <li><i class="dot dot-alarm"></i>警戒 ≥ ${pct(options.alarmRatio)}</li>
        </ul>
      </article>
      <article class="panel panel-county">
        <header><h2>各区县缴存金额</h2><span class="panel-note">万元 · 悬停查看在缴账户数</span></header>
        <div class="chart" id="chart-county" role="img" aria-label="各区县缴存金额柱状图"></div>
      </article>
      <article class="panel panel-form">
        <header><h2>就业形态构成</h2><span class="panel-note">期末在缴账户</span></header>
        <div class="chart" id="chart-form" role="img" aria-label="就业形态构成饼图"></div>
      </article>
    </section>

    <footer class="footnote">
      <p>统计口径：按业务日期（参缴、缴存、提取日期）汇总；个贷率 = 灵活就业缴存资金池个人住房贷款余额 ÷ 缴存余额，预警线、警戒线为现行政策参数（liquidity.warningRatio / liquidity.alarmRatio）。</p>
      <p>本页仅展示汇总统计，不含任何个人信息。数据来源：晋城市住房公积金管理中心数据共享平台。</p>
    </footer>
  </main>
</div>
</body>
</html>
`;
}
