"""The Gradio chat page at /. Scripts use the REST API; the page's own handlers, which Gradio also serves at
/gradio_api/call/<name>, go through the same per-client gate as the REST API.

Gradio ships its JS and the page uses system fonts, so nothing is fetched from elsewhere; analytics are off.
Every text comes from the one catalogue (texts.py) and follows the language the owner picks. Answers are
shown as the HTML render.py makes (escaped, allow-listed), their sources as expandable items under them.
Other tabs (e.g. the team plan) plug in through `build_ui(state, extra_tabs=...)`.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import gradio as gr

from ..errors import AssistantError
from ..language import detect_language
from ..render import inert, markdown_html, sources_html
from ..service import Answer
from ..texts import APP_TITLE, EXAMPLES, LANGUAGE_CHOICES, TEXT, t
from .lifecycle import AppState
from .ui_assets import CSS, HEAD, JS

log = logging.getLogger("assistant.web")

THEME_FONTS = {"font": ["system-ui", "Segoe UI", "Roboto", "sans-serif"], "font_mono": ["ui-monospace", "monospace"]}
STORAGE_KEY = "ecom-team-chat"
# `?lang=nl` (the widget's plan link) wins over the browser's language; `?tab=plan` opens the plan tab.
LANGUAGE_FROM_URL_OR_BROWSER = """() => {
  const p = new URLSearchParams(location.search);
  if (p.get('tab') === 'plan') {
    let tries = 0;
    const open = () => {
      const b = document.querySelector('#plan-tab-button')
        || [...document.querySelectorAll('button[role=tab]')].find(x => /plan/i.test(x.textContent));
      if (b) b.click(); else if (tries++ < 50) setTimeout(open, 100);
    };
    setTimeout(open, 50);
  }
  const lang = p.get('lang') || navigator.language || 'en';
  return lang.toLowerCase().startsWith('nl') ? 'NL' : 'EN';
}"""
# A tab for the page: called inside `gr.Tabs` with the app state and the language control it should follow.
TabBuilder = Callable[[AppState, gr.Radio, gr.Blocks], None]
Update = tuple[Any, Any, Any, Any]
_TAGS = re.compile(r"<[^>]+>")


def _text_of(content: Any) -> str:
    """Gradio hands message content as a string or as a list of typed parts, depending on version."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list):
        return "\n".join(_text_of(c) for c in content)
    return ""


def _plain_history(history: list[Any]) -> list[dict[str, str]]:
    """The conversation as plain text for the follow-up step; the sources panels are not part of it."""
    out = []
    for msg in history:
        text = _text_of(msg.get("content"))
        if 'class="sources"' in text:
            continue
        out.append({"role": msg.get("role", "user"), "content": html.unescape(_TAGS.sub(" ", text)).strip()})
    return out


def _chunks(text: str) -> list[str]:
    """An answer that arrives as one piece (the offline composer), cut at line ends so it is shown as it grows."""
    lines = text.splitlines(keepends=True)
    return lines if len(lines) > 1 else [text]


def _answer_messages(answer: Answer, lang: str) -> list[dict[str, Any]]:
    prefix = f"src-{answer.id[:12]}-"
    out: list[dict[str, Any]] = [{"role": "assistant", "content": markdown_html(answer.answer, answer.sources, prefix)}]
    if answer.notice:
        out[0]["content"] = f"<p><em>{html.escape(answer.notice)}</em></p>" + out[0]["content"]
    if answer.sources:
        out.append({"role": "assistant", "content": sources_html(answer, t(lang, "sources"), prefix)})
    return out


def _title(lang: str) -> str:
    """The full name on a desktop, a short one on a phone (CSS picks): the header never breaks a word."""
    return f'# <span class="long">{APP_TITLE}</span><span class="short">{t(lang, "title_short")}</span>'


def build_ui(state: AppState, extra_tabs: tuple[TabBuilder, ...] = ()) -> gr.Blocks:
    limit = state.settings.max_message_chars

    async def respond(
        message: str, history: list[Any], ids: dict[str, str], choice: str, request: gr.Request
    ) -> AsyncIterator[Update]:
        keep = gr.skip()
        if not (message or "").strip() or len(message) > limit:
            yield keep, keep, keep, keep  # Enter on an empty or over-long box does nothing (the counter says why)
            return
        lang = LANGUAGE_CHOICES.get(choice, "en")
        history = list(history or [])
        ids = dict(ids or {})
        prior = _plain_history(history)
        history.append({"role": "user", "content": inert(message)})
        yield history, "", ids, keep  # the only time the box is cleared: the owner may be typing the next question
        wait = state.limiter.check("chat", state.limiter.client(request))  # the same gate and key as /api/chat
        if wait:
            history.append({"role": "assistant", "content": t(detect_language(message), "rate_limited", n=wait)})
            yield history, keep, ids, keep
            return
        if state.assistant is None:
            history.append({"role": "assistant", "content": t(lang, "index_missing")})
            yield history, keep, ids, keep
            return
        partial = ""
        try:
            async for event in state.aanswer(message, prior, None, channel="chat"):
                if event.kind == "token":
                    pieces = _chunks(event.text)
                    for i, piece in enumerate(pieces):
                        partial += piece
                        yield [*history, {"role": "assistant", "content": inert(partial)}], keep, ids, keep
                        if i < len(pieces) - 1:
                            await asyncio.sleep(0.03)  # one screen update per line, not one for the whole answer
                elif event.kind == "reset":
                    partial = ""
                elif event.kind == "final" and event.answer is not None:
                    answer = event.answer
                    for msg in _answer_messages(answer, lang):
                        history.append(msg)
                        ids[str(len(history) - 1)] = answer.id  # a rating of the answer or of its sources
                    yield history, keep, ids, {"history": history, "ids": ids}
        except AssistantError as exc:
            history.append({"role": "assistant", "content": html.escape(str(exc))})
            yield history, keep, ids, keep
        except Exception:  # noqa: BLE001 - never a traceback in the chat
            log.exception("chat failed")
            history.append({"role": "assistant", "content": t(lang, "server_error")})
            yield history, keep, ids, keep

    def rate(request: gr.Request, answer_id: str, rating: Literal["up", "down"], comment: str | None = None) -> bool:
        """Ratings from the page count against the same feedback limit as POST /api/feedback."""
        client = state.limiter.client(request)
        if state.limiter.check("feedback", client):
            return False
        return bool(state.feedback.rate(answer_id, rating, comment, client=client))

    def on_like(ids: dict[str, str], data: gr.LikeData, request: gr.Request) -> tuple[Any, str]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        answer_id = (ids or {}).get(str(index))
        if not answer_id:
            return gr.update(visible=False), ""
        rating: Literal["up", "down"] = "up" if data.liked else "down"
        rate(request, answer_id, rating)  # a later comment replaces this rating (one per answer)
        return gr.update(visible=rating == "down"), answer_id

    def on_comment(answer_id: str, comment: str, choice: str, request: gr.Request) -> tuple[Any, str]:
        if answer_id and comment.strip() and rate(request, answer_id, "down", comment.strip()):
            gr.Info(t(LANGUAGE_CHOICES.get(choice, "en"), "thanks"))
        return gr.update(visible=False), ""

    def on_typing(message: str, choice: str) -> tuple[Any, Any]:
        text = TEXT[LANGUAGE_CHOICES.get(choice, "en")]
        n = len(message or "")
        if n > limit:
            note = f"**{text['chars_over'].format(n=n - limit, limit=limit)}**"
        elif n > limit * 0.8:
            note = text["chars_left"].format(n=limit - n)
        else:
            note = ""
        return gr.update(interactive=bool((message or "").strip()) and n <= limit), gr.update(value=note)

    def switch_language(choice: str, message: str) -> tuple[Any, ...]:
        lang = LANGUAGE_CHOICES.get(choice, "en")
        text = TEXT[lang]
        send_state, note = on_typing(message, choice)
        return (
            gr.update(value=_title(lang)),
            gr.update(placeholder=text["intro"], label=text["chat_label"]),
            gr.update(label=text["box"], placeholder=text["placeholder"]),
            gr.update(value=text["send"], interactive=send_state["interactive"]),
            gr.update(value=text["stop"]),
            gr.update(value=text["clear"]),
            gr.update(label=text["comment"]),
            gr.update(value=text["comment_send"]),
            gr.update(visible=lang == "en"),
            gr.update(visible=lang == "nl"),
            gr.update(label=text["language"]),
            note,
            *tab_label(lang),
        )

    def tab_label(lang: str) -> tuple[Any, ...]:
        return (gr.update(label=TEXT[lang]["chat_label"]),) if chat_tab is not None else ()

    def restore(saved: Any) -> tuple[Any, Any]:
        if isinstance(saved, dict) and isinstance(saved.get("history"), list):
            return saved["history"], dict(saved.get("ids") or {})
        return [], {}

    en = TEXT["en"]
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False) as demo:
        ids = gr.State({})
        rated_id = gr.State("")
        saved = gr.BrowserState({"history": [], "ids": {}}, storage_key=STORAGE_KEY)
        with gr.Row(equal_height=True, elem_id="header"):
            # the full name on a desktop, a short one on a phone: never a broken word
            title = gr.Markdown(_title("en"), elem_id="title")
            ui_lang = gr.Radio(
                list(LANGUAGE_CHOICES),
                value="EN",
                label=en["language"],
                show_label=False,
                elem_id="ui-lang",
                container=False,
                scale=0,
                min_width=100,
            )
        with gr.Tabs(elem_id="tabs", visible=bool(extra_tabs)) if extra_tabs else _nothing():
            with gr.Tab(en["chat_label"], id="chat-tab") if extra_tabs else _nothing() as chat_tab:
                chatbot = gr.Chatbot(
                    label=en["chat_label"],
                    show_label=False,
                    elem_id="chat",
                    height=520,
                    buttons=["copy"],
                    feedback_options=("Like", "Dislike"),
                    placeholder=en["intro"],
                    autoscroll=True,
                )
                with gr.Row(visible=False, elem_id="comment-row") as comment_row:
                    comment = gr.Textbox(label=en["comment"], elem_id="comment", scale=8)
                    comment_send = gr.Button(en["comment_send"], elem_id="comment-send", scale=1)
                with gr.Row(elem_id="input-row"):
                    box = gr.Textbox(
                        label=en["box"],
                        show_label=False,
                        placeholder=en["placeholder"],
                        elem_id="question",
                        scale=8,
                        lines=1,
                        max_lines=6,
                    )
                    send = gr.Button(
                        en["send"], variant="primary", elem_id="send", scale=1, min_width=90, interactive=False
                    )
                    stop = gr.Button(en["stop"], variant="stop", elem_id="stop", scale=1, min_width=90, visible=False)
                counter = gr.Markdown("", elem_id="counter")
                with gr.Column(visible=True) as examples_en:
                    gr.Examples(EXAMPLES["en"], inputs=box, label=TEXT["en"]["examples"])
                with gr.Column(visible=False) as examples_nl:
                    gr.Examples(EXAMPLES["nl"], inputs=box, label=TEXT["nl"]["examples"])
                clear = gr.Button(en["clear"], elem_id="clear", size="sm")
            for build_tab in extra_tabs:
                build_tab(state, ui_lang, demo)

        # Every queued handler gets the chats' room (Gradio's default is 1: owners rating or switching language
        # at once would wait on each other); each waits on I/O, not on a GPU. Given per handler, not through
        # `demo.queue(default_concurrency_limit=…)`, which builds one more throwaway Gradio app (~0.07 s of start).
        room = state.settings.chat_concurrency
        busy = (gr.update(visible=False), gr.update(visible=True))
        idle = (gr.update(visible=True), gr.update(visible=False))
        answering = []
        for trigger in (box.submit, send.click):
            started = trigger(lambda: busy, None, [send, stop], queue=False, api_visibility="private")
            run = started.then(
                respond,
                [box, chatbot, ids, ui_lang],
                [chatbot, box, ids, saved],
                api_visibility="private",
                concurrency_limit=room,  # Enter and Send share one pool of chats
                concurrency_id="chat",
            )
            run.then(lambda: idle, None, [send, stop], queue=False, api_visibility="private")
            answering.append(run)
        stop.click(lambda: idle, None, [send, stop], cancels=answering, queue=False, api_visibility="private")
        box.change(on_typing, [box, ui_lang], [send, counter], queue=False, api_visibility="private")
        clear.click(
            lambda: ([], {}, "", {"history": [], "ids": {}}, gr.update(visible=False)),
            None,
            [chatbot, ids, box, saved, comment_row],
            api_visibility="private",
            concurrency_limit=room,
        )
        chatbot.like(on_like, [ids], [comment_row, rated_id], api_visibility="private", concurrency_limit=room)
        comment_send.click(
            on_comment,
            [rated_id, comment, ui_lang],
            [comment_row, comment],
            api_visibility="private",
            concurrency_limit=room,
        )
        ui_lang.change(
            switch_language,
            [ui_lang, box],
            [title, chatbot, box, send, stop, clear, comment, comment_send, examples_en, examples_nl, ui_lang, counter]
            + ([chat_tab] if chat_tab is not None else []),  # the tab's name too ("Gesprek" beside "Teamplan")
            api_visibility="private",
            concurrency_limit=room,
        )
        demo.load(restore, saved, [chatbot, ids], api_visibility="private", concurrency_limit=room)
        # The interface language follows the browser's until the owner picks one.
        demo.load(
            None,
            None,
            ui_lang,
            js=LANGUAGE_FROM_URL_OR_BROWSER,
        )
    return demo


class _nothing:
    """A context manager that adds no layout: the chat sits on the page itself until another tab joins it."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def mount_ui(app: Any, state: AppState, extra_tabs: tuple[TabBuilder, ...] = ()) -> Any:
    """Mount the chat page at / on the FastAPI app; returns the app Gradio hands back."""
    theme = gr.themes.Soft(**THEME_FONTS)  # type: ignore[arg-type]
    return gr.mount_gradio_app(
        app, build_ui(state, extra_tabs), path="/", theme=theme, css=CSS, js=JS, head=HEAD, footer_links=[]
    )
