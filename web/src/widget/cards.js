// Chat bubbles and cards drawn from the bot's structured `custom` payloads
// (actions/practice_actions.py, actions/feedback.py). All text goes in as text.
import { h, difficultyBadge, verdictBadge } from "./dom.js";

export function customerBubble(persona, text) {
  return h(
    "div",
    { class: "dg-row dg-row-customer" },
    h("span", { class: "dg-avatar", "aria-hidden": "true" }, persona.avatar || "🧑"),
    h(
      "div",
      { class: "dg-bubble dg-bubble-customer" },
      h("span", { class: "dg-speaker" }, persona.name || "顾客"),
      h("span", { class: "dg-said" }, text),
    ),
  );
}

export function traineeBubble(text) {
  return h(
    "div",
    { class: "dg-row dg-row-trainee" },
    h("div", { class: "dg-bubble dg-bubble-trainee" }, h("span", { class: "dg-said" }, text)),
  );
}

export function commandBubble(label) {
  return h("div", { class: "dg-row dg-row-trainee" }, h("span", { class: "dg-command" }, label));
}

export function noteBubble(text) {
  return h("div", { class: "dg-row dg-row-note" }, h("div", { class: "dg-note" }, text));
}

// A message that was not handled: the server's reason and, when it helps, a way to resend.
export function errorNotice(text, ...actions) {
  return h(
    "div",
    { class: "dg-row dg-row-note dg-row-notice" },
    h("div", { class: "dg-note dg-notice" }, h("span", { class: "dg-notice-text" }, text), actions),
  );
}

export function typingBubble(persona) {
  return h(
    "div",
    { class: "dg-row dg-row-customer dg-typing-row", "aria-label": "对方正在输入" },
    h("span", { class: "dg-avatar", "aria-hidden": "true" }, persona.avatar || "🧑"),
    h("div", { class: "dg-bubble dg-typing" }, h("i"), h("i"), h("i")),
  );
}

export function chips(replies, onChoose) {
  return h(
    "div",
    { class: "dg-chips" },
    replies.map((reply) =>
      h("button", { type: "button", class: "dg-chip", onclick: () => onChoose(reply) }, reply.title),
    ),
  );
}

export function introCard(intro) {
  const exam = intro.mode === "exam";
  return h(
    "section",
    { class: "dg-card dg-intro" },
    h(
      "div",
      { class: "dg-intro-head" },
      h("span", { class: `dg-mode ${exam ? "dg-mode-exam" : ""}` }, exam ? "考试" : "练习"),
      difficultyBadge(intro.difficulty),
      h("h3", { class: "dg-intro-title" }, intro.title),
    ),
    h(
      "div",
      { class: "dg-intro-persona" },
      h("span", { class: "dg-avatar dg-avatar-lg", "aria-hidden": "true" }, intro.avatar),
      h("div", {}, h("strong", {}, intro.name), h("div", { class: "dg-muted" }, intro.mood)),
    ),
    h("p", { class: "dg-intro-desc" }, intro.description),
    (intro.products || []).length
      ? h(
          "ul",
          { class: "dg-products" },
          intro.products.map((p) => h("li", {}, `${p.name} ¥${Number(p.price).toLocaleString("zh-CN")}`)),
        )
      : null,
    h(
      "p",
      { class: "dg-muted dg-small" },
      exam
        ? "考试中没有提示和逐句点评,全部回答完后统一出成绩。"
        : "请以导购身份回答顾客,每句都会点评打分;可随时点“提示”“重来”“结束”。",
    ),
  );
}

// One line of the feedback card: a mark column, then the label and what was said or is missing.
function point(cls, mark, meaning, label, detail) {
  return h(
    "li",
    { class: cls },
    h("span", { class: "dg-mark", "aria-label": meaning }, mark),
    h("span", { class: "dg-point" }, h("span", {}, label), detail),
  );
}

export function feedbackCard(fb) {
  return h(
    "section",
    { class: `dg-card dg-feedback ${fb.passed ? "dg-feedback-pass" : "dg-feedback-fail"}`, "aria-label": "本句点评" },
    h(
      "div",
      { class: "dg-feedback-head" },
      h("span", { class: "dg-score" }, h("b", {}, String(fb.score)), "/100"),
      verdictBadge(fb.passed, "✔ 达标", "✘ 未达标"),
      (fb.penalties || []).length ? h("span", { class: "dg-muted dg-small" }, fb.penalties.join(",")) : null,
    ),
    h(
      "ul",
      { class: "dg-points" },
      (fb.hits || []).map((hit) =>
        point("dg-hit", "✓", "做到", hit.label, hit.matched ? h("q", { class: "dg-matched" }, hit.matched) : null),
      ),
      (fb.misses || []).map((miss) =>
        point(
          "dg-miss",
          "✗",
          "漏掉",
          miss.label,
          miss.wording ? h("span", { class: "dg-wording" }, "可以说:", h("q", {}, miss.wording)) : null,
        ),
      ),
      (fb.violations || []).map((rule) =>
        point(
          "dg-violation",
          "⚠",
          "违规",
          `违规:${rule.label}`,
          rule.matched ? h("q", { class: "dg-matched" }, rule.matched) : null,
        ),
      ),
    ),
    fb.standard
      ? h("div", { class: "dg-standard" }, h("span", { class: "dg-label" }, "标准话术"), h("p", {}, fb.standard))
      : null,
    fb.manual_ref ? h("div", { class: "dg-ref" }, `手册出处:${fb.manual_ref}`) : null,
  );
}

export function hintCard(hint) {
  return h(
    "section",
    { class: "dg-card dg-hint", "aria-label": "提示" },
    h("div", { class: "dg-hint-head" }, `💡 提示(本轮扣 ${hint.penalty} 分)· ${hint.title}`),
    h(
      "ol",
      { class: "dg-hint-points" },
      (hint.points || []).map((point) => h("li", {}, h("b", {}, point.label), ":", h("q", {}, point.wording))),
    ),
    hint.manual_ref ? h("div", { class: "dg-ref" }, `手册出处:${hint.manual_ref}`) : null,
  );
}
