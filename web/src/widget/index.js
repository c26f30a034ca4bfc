// Embeddable trainee widget: one <script> plus DaogouWidget.init({server, container}).
//
//   <div id="chat" style="height:640px"></div>
//   <script src="https://trainer.example.com/web/widget.js"></script>
//   <script>DaogouWidget.init({server: "https://trainer.example.com", container: "#chat"})</script>
//
// Without `container` a floating "导购陪练" button opens the widget in a panel.
import "./widget.css";
import { Widget } from "./app.js";

function scriptOrigin() {
  const script = document.currentScript;
  try {
    return script && script.src ? new URL(script.src).origin : "";
  } catch (_) {
    return "";
  }
}

const DEFAULT_SERVER = scriptOrigin();

function floatingHost() {
  const host = document.createElement("div");
  host.className = "dg-floating";
  document.body.append(host);
  return host;
}

function init(options = {}) {
  const settings = { ...options };
  if (settings.server == null) settings.server = DEFAULT_SERVER;
  let host = null;
  if (settings.container) {
    host = typeof settings.container === "string" ? document.querySelector(settings.container) : settings.container;
    if (!host) throw new Error(`DaogouWidget: 找不到容器 ${settings.container}`);
  } else {
    host = floatingHost();
  }
  // The widget renders into a shadow root; keep the host's own children (e.g. a notice) out.
  while (host.firstChild) host.firstChild.remove();
  const widget = new Widget(host, settings);
  if (!settings.container) widget.makeFloating();
  widget.start();
  return widget;
}

window.DaogouWidget = { init, version: "1.0.0" };
