"""The chat page's CSS and its one small script, kept apart from the Gradio layout in ui.py.

Colours come from Gradio's theme variables, so light and dark mode (which follows the system) both keep
text contrast at 4.5:1 or more; the script only wires `[n]` citations to their sources.
"""

from __future__ import annotations

CSS = """
footer {display: none !important}
.gradio-container {padding-top: 8px !important}
#header {align-items: center; flex-wrap: nowrap; gap: 8px; min-height: 0}
#title {min-width: 0; flex: 1 1 auto}
#title h1 {margin: 0; font-size: 1.25rem; line-height: 1.3; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; overflow-wrap: normal; word-break: keep-all}
#ui-lang {flex: 0 0 auto !important; min-width: 0 !important; width: auto; padding: 0 !important}
#ui-lang .wrap {flex-wrap: nowrap; gap: 4px}
#ui-lang label {padding: 4px 8px !important; min-width: 0}
#chat .placeholder-content, #chat .placeholder {color: var(--body-text-color)}
#chat .sources details.src {margin: 4px 0}
#chat .sources summary {cursor: pointer}
#chat .src-body {border-left: 3px solid var(--border-color-primary); padding-left: 10px; margin: 2px 0 8px 14px}
#chat .src-path {color: var(--body-text-color); font-size: 0.85em; margin-top: 2px; font-style: italic}
/* The Soft theme's indigo on white is 4.3:1; these darker (and in dark mode lighter) shades reach 4.5:1. */
#ui-lang label.selected {background: #4338ca !important; color: #fff !important}
.gradio-container .label {color: #4338ca}
.dark .gradio-container .label, .dark#ui-lang, .dark .gradio-container .label * {color: #c7d2fe}
.dark #ui-lang label.selected {background: #4338ca !important}
#chat a.cite {color: #4338ca}
.dark #chat a.cite {color: #c7d2fe}
#chat a.cite {font-weight: 600; text-decoration: none}
#counter {min-height: 0; margin: 0; padding: 0 4px}
#counter p {margin: 0; font-size: 0.9em}
#input-row {align-items: stretch}
#stop {min-width: 90px}
/* An empty box is as tall as its example question (measured by JS below), so a phone shows it whole. */
#question textarea:placeholder-shown {min-height: var(--placeholder-height, auto)}
#title .short {display: none}
@media (max-width: 640px) {
  #title h1 {font-size: 1.1rem}
  #title .long {display: none}
  #title .short {display: inline}
  #send, #stop {min-width: max-content !important; flex-grow: 0 !important}  /* "Verstuur" whole */
  #chat {height: calc(100dvh - 250px) !important; min-height: 240px}  /* header, tab bar and box fit below */
  #input-row {position: sticky; bottom: 0; z-index: 10; background: var(--body-background-fill);
    padding: 6px 0 4px; margin: 0}
}
"""

# Gradio scopes `css` inside its content area; the page margin around it needs a plain style element.
HEAD = """<style>@media (max-width: 640px) {
  .gradio-container > .main.app {padding: 6px 8px 0 !important}
}</style>"""

# [n] in an answer opens and shows the matching source of the same answer (ids made by render.sources_html).
# The question box is one line high, and Gradio sizes it to what is typed, never to its placeholder: on a
# narrow phone the example question wrapped to three or four lines and was cut off. The placeholder's height is
# measured whenever it or the width changes, and the CSS above applies it only while the box is empty.
JS = """
() => {
  const fitPlaceholder = () => {
    const t = document.querySelector('#question textarea');
    if (!t || t.value) return;
    t.style.setProperty('--placeholder-height', '0px');
    t.style.setProperty('--placeholder-height', t.scrollHeight + 'px');
  };
  const watch = () => {
    const t = document.querySelector('#question textarea');
    if (!t) { setTimeout(watch, 200); return; }
    new MutationObserver(fitPlaceholder).observe(t, {attributes: true, attributeFilter: ['placeholder']});
    t.addEventListener('input', fitPlaceholder);
    window.addEventListener('resize', fitPlaceholder);
    fitPlaceholder();
  };
  watch();
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a.cite');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    const target = id && document.getElementById(id);
    if (!target) return;
    e.preventDefault();
    let d = target;
    while (d) { if (d.tagName === 'DETAILS') d.open = true; d = d.parentElement && d.parentElement.closest('details'); }
    target.scrollIntoView({block: 'nearest'});
    const s = target.querySelector('summary');
    if (s) s.focus({preventScroll: true});
  });
}
"""
