// The two charts of the last 30 days, drawn as plain SVG: stacked bars of the daily volumes
// and a line of the daily on-time rate. Axes and values in Vietnamese; a table of the
// figures goes with each chart, so every value can be read exactly.

import { el, number, percent, shortDay, svg, weekday } from "./dom.js";

export const VOLUME_SERIES = [
  { key: "registered", label: "Kết quả được đăng ký" },
  { key: "collected", label: "Hồ sơ đã nhận (tại nhà và tại quầy)" },
  { key: "filed", label: "Nộp hồ sơ cho cơ quan" },
  { key: "delivered", label: "Phát thành công" },
];

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { top: 26, right: 16, bottom: 60, left: 58 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** A round upper bound and step for an axis reaching `max`. */
function niceScale(max) {
  const target = Math.max(max, 4);
  const rough = target / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
  return { top: Math.ceil(target / step) * step, step };
}

function frame(title, description) {
  return svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": title,
    preserveAspectRatio: "xMidYMid meet",
  }, svg("title", { text: title }), svg("desc", { text: description }));
}

function slotX(index, count) {
  return MARGIN.left + (PLOT_W / count) * (index + 0.5);
}

/** Weekend shading, x tick labels every 5 days (today always) and both axis titles. */
function axes(chart, daily, yTicks, yLabel, yFormat, yTop) {
  const slot = PLOT_W / daily.length;
  daily.forEach((day, index) => {
    const dow = weekday(day.day);
    if (dow === 0 || dow === 6) {
      chart.append(svg("rect", {
        class: "weekend", x: MARGIN.left + slot * index, y: MARGIN.top, width: slot, height: PLOT_H,
      }));
    }
  });
  for (const tick of yTicks) {
    const y = MARGIN.top + PLOT_H - (tick / yTop) * PLOT_H;
    chart.append(
      svg("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y }),
      svg("text", { class: "tick", x: MARGIN.left - 6, y: y + 4, "text-anchor": "end", text: yFormat(tick) }),
    );
  }
  const last = daily.length - 1;
  daily.forEach((day, index) => {
    if ((last - index) % 5 !== 0) return;
    const x = slotX(index, daily.length);
    chart.append(
      svg("line", { class: "axis", x1: x, x2: x, y1: MARGIN.top + PLOT_H, y2: MARGIN.top + PLOT_H + 5 }),
      // Today's label ends at the last bar, so it stays inside the chart.
      svg("text", {
        class: "tick", x: index === last ? x + slot / 2 : x, y: MARGIN.top + PLOT_H + 20,
        "text-anchor": index === last ? "end" : "middle", text: index === last ? "Hôm nay" : shortDay(day.day),
      }),
    );
  });
  chart.append(
    svg("line", { class: "axis", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: MARGIN.top + PLOT_H, y2: MARGIN.top + PLOT_H }),
    svg("line", { class: "axis", x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + PLOT_H }),
    svg("text", { class: "axis-title", x: MARGIN.left + PLOT_W / 2, y: HEIGHT - 10, "text-anchor": "middle", text: "Ngày (30 ngày gần nhất; nền xám: thứ Bảy, Chủ nhật)" }),
    svg("text", {
      class: "axis-title", x: 0, y: 0, "text-anchor": "middle",
      transform: `translate(15 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`, text: yLabel,
    }),
  );
}

function legend(entries) {
  return el("ul", { class: "legend" }, entries.map((entry) => el("li", {},
    el("span", { class: `swatch ${entry.class}`, "aria-hidden": "true" }), entry.label)));
}

function figures(summary, headings, rows, cells) {
  return el("details", { class: "figures" },
    el("summary", { text: summary }),
    el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Bảng số liệu (cuộn ngang được)" },
      el("table", { class: "numbers" },
        el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, rows.map((row) => el("tr", {}, cells(row).map((c, i) => (i === 0 ? el("th", { scope: "row", text: c }) : el("td", { text: c })))))))));
}

/** Stacked bars: registered, collected, filed and delivered events per local day. */
export function volumeChart(daily) {
  const totals = daily.map((day) => VOLUME_SERIES.reduce((sum, s) => sum + day[s.key], 0));
  const { top, step } = niceScale(Math.max(...totals));
  const chart = frame("Sản lượng theo ngày", "Số sự kiện phát thành công, nộp hồ sơ, đăng ký kết quả và nhận hồ sơ tại nhà mỗi ngày.");
  const ticks = [];
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick);
  axes(chart, daily, ticks, "Số sự kiện", number, top);
  const slot = PLOT_W / daily.length;
  const barWidth = Math.max(slot * 0.72, 2);
  daily.forEach((day, index) => {
    let base = MARGIN.top + PLOT_H;
    const x = slotX(index, daily.length) - barWidth / 2;
    for (const series of VOLUME_SERIES) {
      const value = day[series.key];
      if (!value) continue;
      const height = (value / top) * PLOT_H;
      base -= height;
      chart.append(svg("rect", { class: `bar s-${series.key}`, x, y: base, width: barWidth, height },
        svg("title", { text: `${shortDay(day.day, true)} — ${series.label}: ${number(value)}` })));
    }
    if (totals[index] > 0) {
      chart.append(svg("text", { class: "value", x: x + barWidth / 2, y: base - 4, "text-anchor": "middle", text: number(totals[index]) }));
    }
  });
  return el("figure", { class: "chart-figure", id: "volume-chart" },
    chart,
    legend(VOLUME_SERIES.map((s) => ({ class: `s-${s.key}`, label: s.label }))),
    figures("Xem bảng số liệu sản lượng", ["Ngày", ...VOLUME_SERIES.map((s) => s.label), "Tổng"],
      [...daily].reverse(), (day) => [shortDay(day.day, true), ...VOLUME_SERIES.map((s) => number(day[s.key])), number(VOLUME_SERIES.reduce((sum, s) => sum + day[s.key], 0))]));
}

/** A line through each day's on-time rate (days without completions have no point). */
export function onTimeChart(daily) {
  const chart = frame("Tỷ lệ đúng hạn theo ngày", "Phần trăm bưu gửi phát thành công hoặc nộp hồ sơ đúng hạn trên tổng số mỗi ngày.");
  axes(chart, daily, [0, 25, 50, 75, 100], "Tỷ lệ đúng hạn (%)", (t) => `${t}%`, 100);
  const points = daily
    .map((day, index) => ({ day, x: slotX(index, daily.length), rate: day.on_time_rate }))
    .filter((p) => p.rate !== null && p.rate !== undefined)
    .map((p) => ({ ...p, y: MARGIN.top + PLOT_H - p.rate * PLOT_H }));
  if (points.length > 1) {
    chart.append(svg("polyline", { class: "rate-line", points: points.map((p) => `${p.x},${p.y}`).join(" ") }));
  }
  let lastLabelX = -Infinity;
  let lastBelow = false;
  for (const p of points) {
    chart.append(svg("circle", { class: "rate-point", cx: p.x, cy: p.y, r: 4.5 },
      svg("title", { text: `${shortDay(p.day.day, true)}: ${p.day.on_time}/${p.day.completed} đúng hạn (${percent(p.rate)})` })));
    // Neighbouring labels would overlap: the next one goes below the point, or is left to the table.
    const near = p.x - lastLabelX < 30;
    const roomBelow = p.y < MARGIN.top + PLOT_H - 20;
    if (near && (lastBelow || !roomBelow)) continue;
    const below = near || p.y < MARGIN.top + 14;
    chart.append(svg("text", { class: "value", x: p.x, y: below ? p.y + 18 : p.y - 9, "text-anchor": "middle", text: percent(p.rate) }));
    lastLabelX = p.x;
    lastBelow = below;
  }
  const completed = daily.reduce((sum, d) => sum + d.completed, 0);
  const onTime = daily.reduce((sum, d) => sum + d.on_time, 0);
  return el("figure", { class: "chart-figure", id: "on-time-chart" },
    el("p", { class: "chart-note", text: completed ? `Cả 30 ngày: ${percent(onTime / completed)} (${number(onTime)}/${number(completed)} bưu gửi hoàn thành đúng hạn)` : "Chưa có bưu gửi hoàn thành trong 30 ngày." }),
    chart,
    legend([{ class: "s-rate", label: "Tỷ lệ đúng hạn: phát thành công hoặc nộp hồ sơ trước thời hạn ÷ tổng số trong ngày" }]),
    figures("Xem bảng số liệu tỷ lệ đúng hạn", ["Ngày", "Hoàn thành", "Đúng hạn", "Tỷ lệ"],
      [...daily].reverse().filter((d) => d.completed > 0), (day) => [shortDay(day.day, true), number(day.completed), number(day.on_time), percent(day.on_time_rate)]));
}
