// Charts for the trainee report and history: ECharts, only the parts used (bar, line, grid,
// mark line, SVG renderer). Loaded on demand by the widget; exposes window.DaogouCharts.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, MarkLineComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, MarkLineComponent, SVGRenderer]);

const GREEN = "#15803d";
const RED = "#dc2626";
const AMBER = "#d97706";
const INK = "#374151";
const FONT = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

function mount(el, option, height) {
  el.style.height = `${height}px`;
  const chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: INK }, ...option });
  if (window.ResizeObserver) new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

// Two lines at most, so several situations fit side by side on a phone.
function wrapLabel(text, width) {
  const clean = text.replace(/[((].*$/, "");
  if (clean.length <= width) return clean;
  return `${clean.slice(0, width)}\n${shortLabel(clean.slice(width), width)}`;
}

function shortLabel(text, limit) {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

// One bar per key point: how often it was hit in this attempt.
function keyPoints(el, points) {
  const rows = points.slice().reverse();
  return mount(
    el,
    {
      grid: { left: 8, right: 44, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, show: false },
      yAxis: {
        type: "category",
        data: rows.map((p) => shortLabel(p.label, 12)),
        axisTick: { show: false },
        axisLine: { show: false },
        axisLabel: { color: INK, fontSize: 12 },
      },
      series: [
        {
          type: "bar",
          barWidth: 14,
          data: rows.map((p) => {
            const rate = p.total ? Math.round((100 * p.hits) / p.total) : 0;
            return { value: rate, itemStyle: { color: rate === 100 ? GREEN : rate > 0 ? AMBER : RED, borderRadius: 7 } };
          }),
          showBackground: true,
          backgroundStyle: { color: "#f1f5f9", borderRadius: 7 },
          label: {
            show: true,
            position: "right",
            fontSize: 12,
            formatter: (item) => {
              const p = rows[item.dataIndex];
              return `${p.hits}/${p.total}`;
            },
          },
        },
      ],
    },
    Math.max(90, rows.length * 30 + 16),
  );
}

// One bar per situation: its average score, with the pass mark drawn across.
function situations(el, items, passMark) {
  return mount(
    el,
    {
      grid: { left: 8, right: 16, top: 20, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: items.map((s) => wrapLabel(s.title, 6)),
        axisTick: { show: false },
        axisLabel: { color: INK, fontSize: 12, interval: 0 },
      },
      yAxis: { type: "value", min: 0, max: 100, interval: 25, axisLabel: { color: "#6b7280" } },
      series: [
        {
          type: "bar",
          barMaxWidth: 36,
          data: items.map((s) => ({
            value: s.score,
            itemStyle: { color: s.score >= passMark ? GREEN : RED, borderRadius: [6, 6, 0, 0] },
          })),
          label: { show: true, position: "top", fontSize: 12 },
          markLine: {
            symbol: "none",
            silent: true,
            lineStyle: { color: "#9ca3af", type: "dashed" },
            label: { formatter: `及格 ${Math.round(passMark)}`, position: "insideEndTop", color: "#6b7280" },
            data: [{ yAxis: passMark }],
          },
        },
      ],
    },
    180,
  );
}

// The trainee's totals over time.
function trend(el, points) {
  return mount(
    el,
    {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: points.map((p, i) => `${i + 1}`),
        axisTick: { show: false },
        axisLabel: { color: "#6b7280" },
      },
      yAxis: { type: "value", min: 0, max: 100, interval: 25, axisLabel: { color: "#6b7280" } },
      series: [
        {
          type: "line",
          data: points.map((p) => p.total),
          smooth: true,
          symbolSize: 8,
          lineStyle: { color: "#0f766e", width: 3 },
          itemStyle: { color: "#0f766e" },
          areaStyle: { color: "rgba(15,118,110,0.08)" },
          label: { show: points.length <= 12, position: "top", fontSize: 11 },
        },
      ],
    },
    180,
  );
}

window.DaogouCharts = { keyPoints, situations, trend };
