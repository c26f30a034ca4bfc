// The end report card and the charts bundle, which is loaded only when a chart is drawn
// (keeps widget.js small; charts.js is ECharts with only the parts used).
import { h, fill, verdictBadge } from "./dom.js";

let chartsLoading = null;

export function loadCharts(server) {
  if (window.DaogouCharts) return Promise.resolve(window.DaogouCharts);
  if (!chartsLoading) {
    chartsLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${server}/web/charts.js`;
      script.async = true;
      script.onload = () =>
        window.DaogouCharts ? resolve(window.DaogouCharts) : reject(new Error("charts.js"));
      script.onerror = () => {
        chartsLoading = null;
        script.remove();
        reject(new Error("charts.js"));
      };
      document.head.append(script);
    });
  }
  return chartsLoading;
}

// Draws with the charts bundle; shows the plain list instead if it cannot be loaded.
export function chartBox(server, label, draw, fallback) {
  const box = h("div", { class: "dg-chart", role: "img", "aria-label": label });
  loadCharts(server)
    .then((charts) => draw(charts, box))
    .catch(() => {
      box.classList.add("dg-chart-fallback");
      box.append(fallback());
    });
  return box;
}

function keyPointList(points) {
  return h(
    "ul",
    { class: "dg-plain-list" },
    points.map((p) => h("li", {}, `${p.label}:${p.hits}/${p.total}`)),
  );
}

function situationList(items) {
  return h(
    "ul",
    { class: "dg-plain-list" },
    items.map((s) => h("li", {}, `${s.title}:${s.score} 分`)),
  );
}

function turnsList(turns) {
  return h(
    "ol",
    { class: "dg-turns" },
    turns.map((t) =>
      h(
        "li",
        { class: t.final ? "" : "dg-turn-retry" },
        h("div", { class: "dg-turn-meta" }, `第${t.turn}轮${t.try > 1 ? ` · 第${t.try}次` : ""} · ${t.situation} · ${t.score} 分`),
        h("div", { class: "dg-turn-customer" }, `顾客:${t.customer_line}`),
        h("div", { class: "dg-turn-reply" }, `我:${t.reply}`),
        t.override_comment ? h("div", { class: "dg-turn-override" }, `培训师调整:${t.override_comment}`) : null,
      ),
    ),
  );
}

export function reportCard(report, { server, actions = [] } = {}) {
  const examText = report.mode === "exam" ? "考试报告" : "练习报告";
  const turnsBox = h("div", { class: "dg-turns-box", hidden: true });
  const toggle = h("button", {
    type: "button",
    class: "dg-link",
    onclick: () => {
      if (!turnsBox.firstChild) turnsBox.append(turnsList(report.turns || []));
      turnsBox.hidden = !turnsBox.hidden;
      toggle.textContent = turnsBox.hidden ? "查看逐句记录" : "收起逐句记录";
    },
  }, "查看逐句记录");
  const keyPoints = report.key_points || [];
  const situations = report.per_situation || [];
  return h(
    "section",
    { class: "dg-card dg-report", "aria-label": examText },
    h("div", { class: "dg-report-kicker" }, `${examText} · ${report.title}`),
    h(
      "div",
      { class: "dg-report-total" },
      h("span", { class: "dg-total" }, h("b", {}, String(report.total)), "/100"),
      verdictBadge(report.passed),
    ),
    h(
      "div",
      { class: "dg-muted dg-small" },
      `及格线 ${Math.round(report.pass_mark)} · ${report.status_text} · 用时 ${report.duration}`,
    ),
    situations.length
      ? [
          h("h4", {}, "各环节得分"),
          chartBox(
            server,
            "各环节得分图",
            (charts, box) => charts.situations(box, situations, report.pass_mark),
            () => situationList(situations),
          ),
        ]
      : null,
    keyPoints.length
      ? [
          h("h4", {}, "要点掌握"),
          chartBox(
            server,
            "要点掌握图",
            (charts, box) => charts.keyPoints(box, keyPoints),
            () => keyPointList(keyPoints),
          ),
        ]
      : null,
    (report.violations || []).length
      ? h("p", { class: "dg-violation-line" }, `违规:${report.violations.join(";")}`)
      : null,
    h("h4", {}, "改进建议"),
    h("ol", { class: "dg-improve" }, (report.improvements || []).map((tip) => h("li", {}, tip))),
    (report.turns || []).length ? [toggle, turnsBox] : null,
    actions.length ? h("div", { class: "dg-chips" }, actions) : null,
  );
}

export function reportLoading() {
  return h("section", { class: "dg-card dg-report dg-loading" }, "正在生成报告…");
}

export function fillReport(slot, report, options) {
  fill(slot, reportCard(report, options));
}
