/* E-commerce team assistant: embeddable chat bubble.
 *
 * <script src="https://HOST/widget.js" data-title="Team advice" data-lang="nl" data-color="#2563eb"
 *         data-position="right" data-greeting="Hoi! Vraag me iets over je e-commerceteam." defer></script>
 *
 * Everything lives in a shadow root and one fixed-position element, so the host page's styles and
 * scroll position are untouched. The bubble only appears when the assistant allows this site
 * (checked with a CORS request); the chat itself runs in an iframe served by the assistant.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__ecomTeamWidget) return;
  window.__ecomTeamWidget = true;
  var base = new URL(script.src, document.baseURI).origin;
  var d = script.dataset;
  var lang = d.lang === "nl" || d.lang === "en" ? d.lang : (navigator.language || "en").slice(0, 2) === "nl" ? "nl" : "en";
  var color = /^#[0-9a-fA-F]{3,8}$/.test(d.color || "") ? d.color : "#2563eb";
  var position = d.position === "left" ? "left" : "right";
  var title = (d.title || (lang === "nl" ? "Teamadvies" : "Team advice")).slice(0, 60);
  var greeting = (d.greeting || "").slice(0, 300);
  var labels = { open: title, close: "Close" };  // replaced by the texts from /api/widget/config (texts.py)

  function mount(config) {
    var words = config && config.labels && config.labels[lang];
    if (words) labels = { open: words.open.replace("{title}", title), close: words.close };
    var host = document.createElement("div");
    host.setAttribute("data-ecom-team-widget", "");
    host.style.cssText = "position:fixed;bottom:0;" + position + ":0;z-index:2147483000;width:0;height:0;";
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial}" +
      ".bubble{position:fixed;bottom:20px;" + position + ":20px;max-width:min(260px,calc(100vw - 40px));height:48px;" +
      "padding:0 18px 0 14px;border-radius:24px;border:0;background:" + color + ";color:#fff;cursor:pointer;" +
      "box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;gap:8px;font:600 15px/1 system-ui,sans-serif}" +
      ".bubble svg{flex:none;width:22px;height:22px}" +
      ".bubble .label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}" +
      ".bubble.open{padding:0;width:48px;justify-content:center}" +
      ".bubble.open .label{display:none}" +
      ".bubble:focus-visible{outline:3px solid #111;outline-offset:3px}" +
      ".panel{position:fixed;bottom:80px;" + position + ":20px;width:min(380px,calc(100vw - 24px));" +
      "height:min(560px,calc(100vh - 100px));border:0;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.3);" +
      "background:#fff;display:none}" +
      ".panel.open{display:block}" +
      // A phone: the panel takes the whole screen (its own close button), the floating button steps aside.
      "@media (max-width:520px){.panel{left:0;right:0;top:0;bottom:0;width:100%;height:100%;border-radius:0}" +
      ".bubble.open{display:none}}" +
      "@media (prefers-color-scheme:dark){.panel{background:#111827}}";
    var button = document.createElement("button");
    button.className = "bubble";
    button.type = "button";
    button.setAttribute("aria-label", labels.open);
    button.setAttribute("aria-expanded", "false");
    var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
      'd="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
    var CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path stroke="currentColor" ' +
      'stroke-width="2.5" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';
    function face(open) {
      button.innerHTML = open ? CLOSE : ICON;  // constant markup; the title goes in as text
      var span = document.createElement("span");
      span.className = "label";
      span.textContent = title;
      button.appendChild(span);
      button.classList.toggle("open", open);
    }
    face(false);
    var frame = document.createElement("iframe");
    frame.className = "panel";
    frame.title = title;
    var q = new URLSearchParams({ lang: lang, title: title, color: color, greeting: greeting });
    frame.src = base + "/widget?" + q.toString();
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("allow", "clipboard-write");
    root.appendChild(style);
    root.appendChild(frame);
    root.appendChild(button);
    document.body.appendChild(host);

    function setOpen(open) {
      frame.classList.toggle("open", open);
      frame.setAttribute("aria-hidden", open ? "false" : "true");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.setAttribute("aria-label", open ? labels.close : labels.open);
      face(open);
      if (open) {
        frame.contentWindow && frame.contentWindow.postMessage({ type: "ecom-team-focus" }, base);
      } else {
        button.focus({ preventScroll: true });
      }
    }
    button.addEventListener("click", function () { setOpen(!frame.classList.contains("open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && frame.classList.contains("open")) setOpen(false);
    });
    window.addEventListener("message", function (e) {
      if (e.origin === base && e.data && e.data.type === "ecom-team-close") setOpen(false);
    });
  }

  // Only sites on the assistant's allowed list get a bubble: the browser blocks this request elsewhere.
  fetch(base + "/api/widget/config", { mode: "cors", credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error("status " + r.status); return r.json(); })
    .then(function (config) {
      if (document.body) mount(config);
      else document.addEventListener("DOMContentLoaded", function () { mount(config); });
    })
    .catch(function () {
      if (window.console) console.warn("E-commerce team assistant: this site is not allowed to embed the chat.");
    });
})();
