// Builds DOM nodes. Text always goes in through text nodes / textContent, never innerHTML,
// so whatever a trainee or a scenario file writes is shown as text, never run as markup.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// Replaces an element's children (arrays and null/false allowed, as in h()).
export function fill(el, ...children) {
  return append(clear(el), children);
}

export function button(label, onClick, cls = "dg-btn", extra = {}) {
  return h("button", { type: "button", class: cls, onclick: onClick, ...extra }, label);
}

const DIFFICULTY_CLASS = { 初级: "dg-level-1", 中级: "dg-level-2", 高级: "dg-level-3" };

export function difficultyBadge(level) {
  return h("span", { class: `dg-badge ${DIFFICULTY_CLASS[level] || ""}` }, level || "");
}

export function verdictBadge(passed, yes = "✔ 通过", no = "✘ 未通过") {
  return h("span", { class: `dg-verdict ${passed ? "dg-pass" : "dg-fail"}` }, passed ? yes : no);
}

// Patience as hearts plus a face, so the mood reads at a glance.
export function patienceMeter(patience, max) {
  const left = Math.max(0, Number(patience) || 0);
  const total = Math.max(left, Number(max) || left);
  const ratio = total ? left / total : 0;
  const face = ratio > 0.66 ? "🙂" : ratio > 0.33 ? "😐" : "😠";
  return h(
    "span",
    { class: "dg-patience", title: `耐心 ${left}/${total}`, "aria-label": `顾客耐心 ${left}/${total}` },
    h("span", { class: "dg-face", "aria-hidden": "true" }, face),
    h("span", { class: "dg-hearts", "aria-hidden": "true" }, "❤".repeat(left)),
    h("span", { class: "dg-hearts dg-hearts-lost", "aria-hidden": "true" }, "♡".repeat(total - left)),
  );
}
