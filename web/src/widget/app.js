// The trainee widget: sign-in, scenario picker, role-play chat, report and history.
import { Api, loadIdentity, saveIdentity, forgetIdentity } from "./api.js";
import { Connection } from "./connection.js";
import { h, fill, button, difficultyBadge, patienceMeter, verdictBadge } from "./dom.js";
import * as cards from "./cards.js";
import { chartBox, reportCard, reportLoading } from "./report.js";

const COMMANDS = {
  "/request_hint": "提示",
  "/restart_practice": "重来",
  "/stop_practice": "结束",
  "/my_results": "我的成绩",
  "/start_practice": "换个场景",
};
const PRACTICE_ACTIONS = ["/request_hint", "/restart_practice", "/stop_practice"];
const EXAM_ACTIONS = ["/stop_practice"];
// message_error codes (channels/socketio.py) for which sending the same text later works.
const RESENDABLE = new Set(["unavailable", "too_fast"]);
const UNSENT_TEXT = "这条消息没有发送成功,请稍后重新发送。";
const SENT_KEPT = 20; // messages remembered for a possible resend

function commandLabel(text) {
  if (COMMANDS[text]) return COMMANDS[text];
  if (text.startsWith("/start_practice")) return "开始练习";
  if (text.startsWith("/start_exam")) return "开始考试";
  if (text.startsWith("/")) return "操作";
  return null;
}

// Timing marks for benchmarks/web_benchmark.py (milliseconds since navigation start).
function mark(name) {
  if (window.performance && performance.mark && !performance.getEntriesByName(name).length) {
    performance.mark(name);
  }
}

function startCommand(scenarioId, mode) {
  const intent = mode === "exam" ? "start_exam" : "start_practice";
  return `/${intent}${JSON.stringify({ scenario_id: scenarioId })}`;
}

export class Widget {
  constructor(host, options) {
    this.options = options;
    this.server = String(options.server || "").replace(/\/+$/, "");
    this.api = new Api(this.server);
    this.identity = null;
    this.connection = null;
    this.persona = {};
    this.practice = { active: false };
    this.log = h("div", { class: "dg-messages", role: "log", "aria-live": "polite" });
    this.typing = null;
    this.sent = new Map(); // message id → {text, bubble}, to offer a failed message again
    this.input = null;

    const shadow = host.attachShadow({ mode: "open" });
    const stylesheet = h("link", { rel: "stylesheet", href: `${this.server}/web/widget.css` });
    this.root = h("div", { class: "dg-app", "data-view": "loading" });
    stylesheet.addEventListener("load", () => this.root.classList.add("dg-styled"));
    shadow.append(stylesheet, this.root);
    this.host = host;
  }

  // Floating mode: a launcher button in the corner opens the widget in a panel.
  makeFloating() {
    this.root.classList.add("dg-panel");
    this.root.hidden = true;
    const launcher = button(
      "💬 导购陪练",
      () => {
        this.root.hidden = !this.root.hidden;
        launcher.setAttribute("aria-expanded", String(!this.root.hidden));
      },
      "dg-launcher",
      { "aria-expanded": "false" },
    );
    this.root.after(launcher);
  }

  // -- start-up and identity -------------------------------------------------

  async start() {
    this.identity = loadIdentity();
    if (!this.identity) return this.showLogin();
    this.api.token = this.identity.token;
    // Everything the first screen may need, fetched at once.
    const convo = this.api.conversation().catch(() => ({ active: false, messages: [] }));
    this.prefetchHome();
    try {
      const me = await this.api.me();
      this.identity.name = me.name || this.identity.name;
    } catch (error) {
      if (error.status === 401) {
        forgetIdentity();
        return this.showLogin("登录已失效,请重新输入工号和姓名。");
      }
      return this.showLogin(error.message);
    }
    await this.enter(convo);
  }

  prefetchHome() {
    const both = Promise.all([this.api.scenarios(), this.api.assignments()]);
    both.catch(() => {}); // handled where it is used
    this.homeData = both;
  }

  async enter(convoPromise) {
    this.connect();
    const convo = await (convoPromise || this.api.conversation()).catch(() => ({ active: false, messages: [] }));
    if (convo.active && convo.messages.length) {
      this.replay(convo.messages);
      this.showChat();
    } else if (this.options.scenario) {
      this.startScenario(this.options.scenario, this.options.mode || "practice");
    } else {
      await this.showHome();
    }
  }

  connect() {
    if (this.connection) this.connection.close();
    this.connection = new Connection(this.server, this.identity.token, {
      onMessage: (message) => this.onBotMessage(message),
      onReady: ({ resumed }) => {
        this.setOffline(false);
        if (resumed) this.resync();
      },
      onOffline: () => this.setOffline(true),
      onMessageError: (error) => this.onMessageError(error),
      onAuthError: () => this.logout("登录已失效,请重新输入工号和姓名。"),
    });
  }

  logout(message) {
    forgetIdentity();
    if (this.connection) this.connection.close();
    this.connection = null;
    this.identity = null;
    this.api.token = null;
    this.practice = { active: false };
    this.showLogin(message);
  }

  // Another tab or a dropped network may have moved the conversation on.
  async resync() {
    const convo = await this.api.conversation().catch(() => null);
    if (!convo) return;
    if (convo.active) {
      this.replay(convo.messages);
      if (this.root.dataset.view === "chat") this.showChat();
    } else {
      this.practice.active = false;
      this.refreshHeader();
    }
  }

  setOffline(offline) {
    this.offline = offline;
    const banner = this.root.querySelector(".dg-offline");
    if (banner) banner.hidden = !offline;
  }

  // -- layout --------------------------------------------------------------------

  frame(view, header, body, footer) {
    this.root.dataset.view = view;
    const banner = h("div", { class: "dg-offline", role: "status", hidden: !this.offline }, "网络已断开,正在重新连接…");
    fill(this.root, header, banner, body, footer || "");
    this.body = body;
  }

  brandHeader(...extra) {
    return h(
      "header",
      { class: "dg-header" },
      h("div", { class: "dg-brand" }, h("span", { class: "dg-logo", "aria-hidden": "true" }, "🛋️"), "导购陪练"),
      h("div", { class: "dg-header-actions" }, extra),
    );
  }

  backHeader(title, onBack, ...extra) {
    return h(
      "header",
      { class: "dg-header" },
      button("‹", onBack, "dg-back", { "aria-label": "返回" }),
      h("div", { class: "dg-header-title" }, title),
      h("div", { class: "dg-header-actions" }, extra),
    );
  }

  // -- sign-in -------------------------------------------------------------------

  showLogin(message) {
    const staffNo = h("input", {
      name: "staff_no",
      class: "dg-input",
      autocomplete: "username",
      inputmode: "text",
      maxlength: "32",
      required: true,
      placeholder: "例如 A1024",
    });
    const name = h("input", { name: "name", class: "dg-input", autocomplete: "name", maxlength: "32", required: true, placeholder: "您的姓名" });
    const error = h("p", { class: "dg-error", role: "alert" }, message || "");
    const submit = h("button", { type: "submit", class: "dg-btn dg-btn-primary dg-btn-block" }, "进入练习");
    const form = h(
      "form",
      {
        class: "dg-card dg-login",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          error.textContent = "";
          if (!staffNo.value.trim() || !name.value.trim()) {
            error.textContent = "请填写工号和姓名。";
            return;
          }
          submit.disabled = true;
          try {
            const identity = await this.api.login(staffNo.value, name.value);
            saveIdentity(identity);
            this.identity = identity;
            this.api.token = identity.token;
            this.prefetchHome();
            await this.enter();
          } catch (err) {
            error.textContent = err.message;
          } finally {
            submit.disabled = false;
          }
        },
      },
      h("h2", {}, "欢迎来练习"),
      h("p", { class: "dg-muted" }, "我来扮演顾客,您以导购的身份接待。每句回答都会按《专卖店销售服务接待标准》点评打分。"),
      h("label", { class: "dg-field" }, h("span", {}, "工号"), staffNo),
      h("label", { class: "dg-field" }, h("span", {}, "姓名"), name),
      error,
      submit,
      h("p", { class: "dg-muted dg-small" }, "首次使用需要填写,之后本机会记住您。"),
    );
    this.frame("login", this.brandHeader(), h("main", { class: "dg-body dg-body-center" }, form));
    mark("dg-login-ready");
  }

  // -- scenario picker -------------------------------------------------------

  async showHome() {
    const who = h("span", { class: "dg-who" }, `${this.identity.name || ""}`, h("small", {}, ` ${this.identity.staff_no}`));
    const header = this.brandHeader(
      who,
      button("我的记录", () => this.showHistory(), "dg-btn dg-btn-ghost"),
      button("退出", () => this.logout(), "dg-btn dg-btn-ghost dg-btn-quiet"),
    );
    const body = h("main", { class: "dg-body dg-home" }, h("p", { class: "dg-muted dg-loading" }, "正在加载场景…"));
    this.frame("home", header, body);
    let scenarios;
    let assignments;
    try {
      const pending = this.homeData || Promise.all([this.api.scenarios(), this.api.assignments()]);
      this.homeData = null; // later visits show fresh best scores
      [scenarios, assignments] = await pending;
    } catch (error) {
      if (error.status === 401) return this.logout("登录已失效,请重新输入工号和姓名。");
      fill(body,
        h("p", { class: "dg-error" }, error.message),
        button("重试", () => this.showHome(), "dg-btn"),
      );
      return;
    }
    if (this.root.dataset.view !== "home") return;
    const byId = Object.fromEntries(scenarios.scenarios.map((s) => [s.id, s]));
    fill(body,
      this.practice.active
        ? h(
            "div",
            { class: "dg-resume" },
            h("span", {}, `有一场${this.practice.mode === "exam" ? "考试" : "练习"}进行中:${this.practice.title || ""}`),
            button("继续", () => this.showChat(), "dg-btn dg-btn-primary"),
          )
        : null,
      this.assignmentSection(assignments.assignments, byId),
      h("h2", { class: "dg-section-title" }, "选择练习场景"),
      h(
        "div",
        { class: "dg-grid" },
        scenarios.scenarios.map((card) => this.scenarioCard(card)),
      ),
    );
    this.root.dataset.ready = "picker";
    mark("dg-picker-ready");
  }

  assignmentSection(items, byId) {
    if (!items.length) return null;
    return h(
      "section",
      { class: "dg-exams", "aria-label": "我的考试" },
      h("h2", { class: "dg-section-title" }, "我的考试"),
      items.map((item) => {
        const state = item.done ? "已完成" : item.overdue ? "已逾期" : "待完成";
        const scenario = byId[item.scenario_id];
        return h(
          "div",
          { class: `dg-exam ${item.overdue ? "dg-overdue" : ""} ${item.done ? "dg-done" : ""}` },
          h("span", { class: "dg-avatar", "aria-hidden": "true" }, scenario ? scenario.customer.avatar : "📝"),
          h(
            "div",
            { class: "dg-exam-main" },
            h("strong", {}, item.title),
            h("div", { class: "dg-due" }, `截止 ${item.due_text}`, h("span", { class: "dg-exam-state" }, state)),
          ),
          !item.done && item.available
            ? button("开始考试", () => this.startScenario(item.scenario_id, "exam", scenario), "dg-btn dg-btn-primary")
            : null,
        );
      }),
    );
  }

  scenarioCard(card) {
    const mine =
      card.my_attempts > 0
        ? `最好 ${card.my_best == null ? "—" : card.my_best} 分 · 练过 ${card.my_attempts} 次`
        : "还没练过";
    return h(
      "button",
      {
        type: "button",
        class: "dg-scenario",
        "data-scenario": card.id,
        onclick: () => this.startScenario(card.id, "practice", card),
      },
      h(
        "div",
        { class: "dg-scenario-head" },
        h("span", { class: "dg-avatar dg-avatar-lg", "aria-hidden": "true" }, card.customer.avatar),
        h(
          "div",
          { class: "dg-scenario-titles" },
          h("strong", { class: "dg-scenario-title" }, card.title),
          h("span", { class: "dg-tag" }, card.customer.type_name),
        ),
        difficultyBadge(card.difficulty),
      ),
      h("p", { class: "dg-scenario-desc" }, card.description),
      h(
        "div",
        { class: "dg-scenario-foot" },
        h("span", { class: card.my_best != null && card.my_best >= card.pass_mark ? "dg-best dg-best-pass" : "dg-best" }, mine),
        h("span", { class: "dg-go" }, "开始 ›"),
      ),
    );
  }

  // -- chat ----------------------------------------------------------------------

  startScenario(scenarioId, mode, card) {
    const customer = card && (card.customer || card);
    this.persona = customer ? { name: customer.name, avatar: customer.avatar, mood: customer.mood } : {};
    this.practice = { active: true, mode, scenario_id: scenarioId, title: card && card.title, starting: true };
    this.log = h("div", { class: "dg-messages", role: "log", "aria-live": "polite" });
    this.showChat();
    this.showTyping();
    const command = startCommand(scenarioId, mode);
    this.remember(this.connection.send(command), command, null);
  }

  showChat() {
    const input = h("input", {
      class: "dg-input dg-composer-input",
      name: "reply",
      placeholder: "以导购身份回答顾客…",
      autocomplete: "off",
      enterkeyhint: "send",
      maxlength: "500",
      "aria-label": "您的回答",
    });
    const composer = h(
      "form",
      {
        class: "dg-composer",
        onsubmit: (event) => {
          event.preventDefault();
          const text = input.value.trim();
          if (!text) return;
          input.value = "";
          this.send(text);
        },
      },
      input,
      h("button", { type: "submit", class: "dg-btn dg-btn-primary dg-send" }, "发送"),
    );
    this.actionBar = h("div", { class: "dg-actions" });
    this.chatHeader = h("div", { class: "dg-persona" });
    const header = this.backHeader(this.chatHeader, () => this.showHome());
    const body = h("main", { class: "dg-body dg-chat" }, this.log);
    this.frame("chat", header, body, h("footer", { class: "dg-footer" }, this.actionBar, composer));
    this.input = input;
    this.refreshHeader();
    this.scrollDown();
    if (window.matchMedia && window.matchMedia("(pointer: fine)").matches) input.focus();
  }

  refreshHeader() {
    if (!this.chatHeader) return;
    const p = this.practice;
    fill(this.chatHeader,
      h("span", { class: "dg-avatar", "aria-hidden": "true" }, this.persona.avatar || "🧑"),
      h(
        "div",
        { class: "dg-persona-text" },
        h("strong", { class: "dg-persona-name" }, this.persona.name || "顾客"),
        h(
          "span",
          { class: "dg-persona-sub" },
          p.mode === "exam" ? h("span", { class: "dg-mode dg-mode-exam" }, "考试") : h("span", { class: "dg-mode" }, "练习"),
          p.turns ? ` 第${p.turn}/${p.turns}轮` : "",
        ),
      ),
      p.patience_max ? patienceMeter(p.patience, p.patience_max) : null,
    );
    if (!this.actionBar) return;
    const actions = p.active && !p.starting ? (p.mode === "exam" ? EXAM_ACTIONS : PRACTICE_ACTIONS) : [];
    fill(this.actionBar,
      actions.map((payload) =>
        button(COMMANDS[payload], () => this.send(payload), `dg-btn dg-btn-action dg-act-${payload.slice(1)}`),
      ),
      p.active ? null : button("选择场景", () => this.showHome(), "dg-btn dg-btn-action"),
    );
  }

  send(text) {
    const label = commandLabel(text);
    const bubble = label ? cards.commandBubble(label) : cards.traineeBubble(text);
    this.add(bubble);
    this.showTyping();
    this.remember(this.connection.send(text), text, bubble);
  }

  remember(messageId, text, bubble) {
    this.sent.set(messageId, { text, bubble });
    if (this.sent.size > SENT_KEPT) this.sent.delete(this.sent.keys().next().value);
  }

  // The server could not handle a message: say so politely in the chat and keep the text,
  // as a "重新发送" button (outage, too fast) or back in the input box (to be changed).
  onMessageError(error) {
    const sent = (error.message_id && this.sent.get(error.message_id)) || null;
    if (sent) this.sent.delete(error.message_id);
    this.hideTyping();
    if (sent && sent.bubble) {
      sent.bubble.classList.add("dg-unsent");
      sent.bubble.prepend(h("span", { class: "dg-unsent-mark" }, "未送达"));
    }
    const text = typeof error.message === "string" && error.message ? error.message : UNSENT_TEXT;
    let notice;
    if (sent && RESENDABLE.has(error.code)) {
      const again = button("重新发送", () => this.resend(sent, notice), "dg-btn dg-btn-resend");
      notice = cards.errorNotice(text, again);
    } else if (sent && this.restoreInput(sent.text, error.code)) {
      notice = cards.errorNotice(text, h("span", { class: "dg-notice-hint" }, "您输入的内容已放回输入框,修改后可再次发送。"));
    } else {
      notice = cards.errorNotice(text);
    }
    this.add(notice);
  }

  restoreInput(text, code) {
    const input = this.input;
    if (code === "empty_message" || commandLabel(text) || !input || !input.isConnected || input.value) return false;
    input.value = text;
    input.focus();
    return true;
  }

  resend(sent, notice) {
    notice.remove();
    if (sent.bubble) {
      sent.bubble.remove();
      this.send(sent.text);
    } else {
      this.showTyping();
      this.remember(this.connection.send(sent.text), sent.text, null);
    }
  }

  add(node) {
    this.hideTyping();
    this.log.append(node);
    this.scrollDown();
  }

  scrollDown() {
    const body = this.root.querySelector(".dg-chat");
    if (body) requestAnimationFrame(() => (body.scrollTop = body.scrollHeight));
  }

  // Only the chat scrolls, never the page the widget is embedded in.
  scrollToTop(node) {
    const body = this.root.querySelector(".dg-chat");
    if (!body || !node.isConnected) return;
    requestAnimationFrame(() => {
      body.scrollTop += node.getBoundingClientRect().top - body.getBoundingClientRect().top - 8;
    });
  }

  showTyping() {
    this.hideTyping();
    this.typing = cards.typingBubble(this.persona);
    this.log.append(this.typing);
    this.scrollDown();
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), 20000);
  }

  hideTyping() {
    if (this.typing) this.typing.remove();
    this.typing = null;
  }

  replay(messages) {
    this.log = h("div", { class: "dg-messages", role: "log", "aria-live": "polite" });
    for (const message of messages) {
      if (message.from === "user") {
        const label = commandLabel(message.text);
        if (!label || !message.text.startsWith("/start_")) {
          this.log.append(label ? cards.commandBubble(label) : cards.traineeBubble(message.text));
        }
      } else {
        this.onBotMessage(message, { replay: true });
      }
    }
  }

  onBotMessage(message, { replay = false } = {}) {
    const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    const replies = (message.quick_replies || []).filter((r) => r && r.payload);
    const kind = custom && custom.type;
    if (kind === "intro") {
      this.persona = { name: custom.name, avatar: custom.avatar, mood: custom.mood };
      this.practice = {
        active: true,
        mode: custom.mode,
        scenario_id: custom.scenario_id,
        attempt_id: custom.attempt_id,
        title: custom.title,
        patience: custom.patience_max,
        patience_max: custom.patience_max,
        turn: 1,
        turns: custom.turns,
      };
      if (!replay) {
        // A new practice starts a new log (also when another tab started it).
        this.log = h("div", { class: "dg-messages", role: "log", "aria-live": "polite" });
        this.showChat();
      }
      this.log.append(cards.introCard(custom));
    } else if (kind === "customer") {
      Object.assign(this.practice, {
        active: true,
        starting: false,
        mode: custom.mode,
        patience: custom.patience,
        patience_max: custom.patience_max,
        turn: custom.turn,
        turns: custom.turns,
      });
      this.append(cards.customerBubble(custom, custom.line), replay);
    } else if (kind === "customer_line") {
      if (custom.outcome) {
        this.practice.active = false;
        if (custom.outcome === "walked_out") this.practice.patience = 0;
      }
      this.append(cards.customerBubble(custom, custom.line), replay);
    } else if (kind === "feedback") {
      this.append(cards.feedbackCard(custom), replay);
    } else if (kind === "hint") {
      this.append(cards.hintCard(custom), replay);
    } else if (kind === "report") {
      this.practice.active = false;
      this.append(this.reportSlot(custom.attempt_id, replies, replay), replay);
    } else {
      if (message.text) this.append(cards.noteBubble(message.text), replay);
      if (replies.length) this.append(cards.chips(replies, (reply) => this.choose(reply)), replay);
      if (/已结束|没有进行中的练习/.test(message.text || "")) this.practice.active = false;
    }
    if (!replay) this.refreshHeader();
  }

  append(node, replay) {
    if (replay) this.log.append(node);
    else this.add(node);
  }

  choose(reply) {
    if (reply.payload === "/start_practice") return this.showHome();
    if (reply.payload === "/my_results") return this.showHistory();
    return this.send(reply.payload);
  }

  reportSlot(attemptId, replies, replay = false) {
    const slot = h("div", { class: "dg-report-slot", "data-attempt": attemptId }, reportLoading());
    const actions = replies.map((reply) =>
      button(reply.title, () => this.choose(reply), "dg-chip"),
    );
    this.api
      .report(attemptId)
      .then((report) => {
        fill(slot, reportCard(report, { server: this.server, actions }));
        // The total first: the trainee scrolls down to the charts and advice.
        if (!replay) this.scrollToTop(slot);
      })
      .catch((error) => fill(slot, cards.noteBubble(error.message)));
    return slot;
  }

  // -- history and reports ---------------------------------------------------------

  async showHistory() {
    const body = h("main", { class: "dg-body dg-history" }, h("p", { class: "dg-muted" }, "正在加载记录…"));
    this.frame("history", this.backHeader("我的记录", () => this.showHome()), body);
    let data;
    try {
      data = await this.api.history();
    } catch (error) {
      fill(body, h("p", { class: "dg-error" }, error.message));
      return;
    }
    if (this.root.dataset.view !== "history") return;
    const points = data.trend.points;
    fill(body,
      h(
        "section",
        { class: "dg-card" },
        h("h3", {}, "成绩趋势"),
        points.length
          ? chartBox(
              this.server,
              "成绩趋势图",
              (charts, box) => charts.trend(box, points),
              () => h("p", {}, points.map((p) => p.total).join(" → ")),
            )
          : null,
        h("p", { class: "dg-trend-words" }, points.length ? data.trend.words : "完成一次练习后,这里会显示成绩走势。"),
        data.weakest.length
          ? h("p", { class: "dg-muted" }, "最常漏掉的要点:", data.weakest.map((w) => `${w.label}(${Math.round(w.miss_rate * 100)}%)`).join("、"))
          : null,
      ),
      h("h2", { class: "dg-section-title" }, `全部记录(${data.attempts.length})`),
      data.attempts.length
        ? h(
            "ul",
            { class: "dg-attempts" },
            data.attempts.map((a) =>
              h(
                "li",
                {},
                h(
                  "button",
                  { type: "button", class: "dg-attempt", onclick: () => this.showReport(a.attempt_id) },
                  h("span", { class: "dg-attempt-when" }, a.started_text),
                  h(
                    "span",
                    { class: "dg-attempt-title" },
                    h("span", { class: `dg-mode ${a.mode === "exam" ? "dg-mode-exam" : ""}` }, a.mode === "exam" ? "考试" : "练习"),
                    a.title,
                  ),
                  h("span", { class: "dg-attempt-score" }, `${a.total} 分`),
                  a.status === "in_progress" ? h("span", { class: "dg-muted dg-small" }, "进行中") : verdictBadge(a.passed, "通过", "未通过"),
                ),
              ),
            ),
          )
        : h("p", { class: "dg-muted" }, "还没有记录,去选一个场景练习吧。"),
    );
  }

  async showReport(attemptId) {
    const body = h("main", { class: "dg-body" }, reportLoading());
    this.frame("report", this.backHeader("练习报告", () => this.showHistory()), body);
    try {
      const report = await this.api.report(attemptId);
      const again = button("再练一次", () => this.startScenario(report.scenario_id, "practice", null), "dg-chip");
      fill(body, reportCard(report, { server: this.server, actions: [again] }));
    } catch (error) {
      fill(body, h("p", { class: "dg-error" }, error.message));
    }
  }
}
