// Trainer dashboard charts. The server renders every page; this only draws the
// charts whose data sits in <script type="application/json"> blocks next to
// each [data-chart] element. Only the ECharts parts used are bundled.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const COLORS = ["#0f766e", "#f59e0b", "#6366f1", "#ef4444"];
const FONT = '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

// The CSP forbids inline styles, so tooltips are drawn on the canvas (richText),
// never as HTML with style attributes.
const tooltip = (extra) => ({ renderMode: "richText", confine: true, ...extra });

function base(spec) {
  return {
    color: COLORS,
    textStyle: { fontFamily: FONT },
    animation: false,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
  };
}

function horizontalBars(spec, el) {
  const unit = spec.unit || "";
  const narrow = el.clientWidth < 500;
  return {
    ...base(spec),
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: tooltip({
      trigger: "item",
      formatter: (p) => `${p.name}\n${spec.name}:${p.value}${unit}\n${(spec.details || [])[p.dataIndex] || ""}`,
    }),
    xAxis: {
      type: "value",
      max: spec.max,
      splitNumber: narrow ? 2 : 5,
      axisLabel: { formatter: `{value}${unit}`, hideOverlap: true },
    },
    yAxis: {
      type: "category",
      data: spec.labels,
      // Key point labels are long Chinese phrases: give them up to ~45% of the width.
      axisLabel: { width: Math.min(220, Math.round(el.clientWidth * 0.45)), overflow: "truncate" },
    },
    series: [
      {
        type: "bar",
        name: spec.name,
        data: spec.values,
        barMaxWidth: 18,
        itemStyle: { color: "#ef4444", borderRadius: [0, 4, 4, 0] },
        label: { show: true, position: "right", formatter: `{c}${unit}` },
      },
    ],
  };
}

function columns(spec) {
  const many = spec.labels.length > 12;
  return {
    ...base(spec),
    legend: { top: 0 },
    tooltip: tooltip({ trigger: "axis" }),
    xAxis: {
      type: "category",
      data: spec.labels,
      axisLabel: { hideOverlap: true, rotate: many ? 0 : 20, width: 80, overflow: "truncate" },
    },
    yAxis: { type: "value", minInterval: 1, max: spec.max },
    series: spec.series.map((s) => ({
      type: s.type || "bar",
      name: s.name,
      data: s.values,
      barMaxWidth: 22,
      symbolSize: 7,
    })),
  };
}

function line(spec) {
  const series = [
    {
      type: "line",
      name: spec.name,
      data: spec.values,
      symbolSize: 8,
      label: { show: spec.values.length <= 12, position: "top" },
    },
  ];
  if (spec.reference) {
    series.push({
      type: "line",
      name: spec.reference.name,
      data: spec.values.map(() => spec.reference.value),
      symbol: "none",
      lineStyle: { type: "dashed", width: 1 },
      color: "#9ca3af",
      tooltip: { show: false },
    });
  }
  return {
    ...base(spec),
    legend: { top: 0 },
    tooltip: tooltip({ trigger: "axis" }),
    xAxis: { type: "category", data: spec.labels, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", min: 0, max: spec.max },
    series,
  };
}

const BUILDERS = { hbar: horizontalBars, columns, line };

function drawAll() {
  const charts = [];
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    let spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    const build = BUILDERS[spec.kind];
    if (!build) return;
    el.textContent = "";
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(spec, el));
    el.dataset.chartReady = "true";
    charts.push(chart);
  });
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => charts.forEach((chart) => chart.resize()), 150);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawAll);
} else {
  drawAll();
}
