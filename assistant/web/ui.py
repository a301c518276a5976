"""The Gradio chat page at /, and the Gradio API's `/ask` for scripts.

Gradio ships its JS and the page uses system fonts, so nothing is fetched from elsewhere; analytics are off.
Texts come from the one catalogue (texts.py) and follow the language the owner picks.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from typing import Any, Literal

import gradio as gr

from ..errors import AssistantError
from ..language import detect_language
from ..render import inert, sources_markdown
from ..texts import (
    APP_TITLE,
    CHAT_PLACEHOLDER,
    EXAMPLES,
    EXAMPLES_LABEL,
    LANGUAGE_CHOICES,
    LANGUAGE_LABEL,
    TEXT,
    t,
)
from .lifecycle import AppState

log = logging.getLogger("assistant.web")

CSS = """
footer {display: none !important}
#title h1 {margin-bottom: 0}
@media (max-width: 640px) { #chat {height: 60vh !important} }
"""
THEME_FONTS = {"font": ["system-ui", "Segoe UI", "Roboto", "sans-serif"], "font_mono": ["ui-monospace", "monospace"]}


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
    out = []
    for msg in history:
        meta = msg.get("metadata") if isinstance(msg, dict) else None
        if meta and meta.get("title"):
            continue  # the sources panel is not part of the conversation
        out.append({"role": msg.get("role", "user"), "content": html.unescape(_text_of(msg.get("content")))})
    return out


def build_ui(state: AppState) -> gr.Blocks:
    Update = tuple[list[dict[str, Any]], Any, dict[str, str]]

    async def respond(
        message: str, history: list[Any], ids: dict[str, str], request: gr.Request
    ) -> AsyncIterator[Update]:
        history = list(history or [])
        ids = dict(ids or {})
        prior = _plain_history(history)
        history.append({"role": "user", "content": inert(message)})
        yield history, "", ids  # the only time the box is cleared
        keep = gr.skip()  # later updates leave the box alone: the owner may be typing the next question
        client = getattr(getattr(request, "client", None), "host", None) or "unknown"
        wait = state.limiter.check(f"ui:{client}")
        if wait:
            history.append({"role": "assistant", "content": t(detect_language(message), "rate_limited", n=wait)})
            yield history, keep, ids
            return
        if state.assistant is None:
            history.append({"role": "assistant", "content": t("en", "index_missing")})
            yield history, keep, ids
            return
        partial = ""
        try:
            async for event in state.aanswer(message, prior, None, channel="chat"):
                if event.kind == "token":
                    partial += event.text
                    yield [*history, {"role": "assistant", "content": inert(partial)}], keep, ids
                elif event.kind == "reset":
                    partial = ""
                elif event.kind == "final" and event.answer is not None:
                    answer = event.answer
                    history.append({"role": "assistant", "content": inert(answer.answer)})
                    ids[str(len(history) - 1)] = answer.id
                    if answer.sources:
                        title = t(answer.lang, "sources")
                        history.append(
                            {
                                "role": "assistant",
                                "content": sources_markdown(answer),
                                "metadata": {"title": f"{title} ({len(answer.sources)})", "status": "done"},
                            }
                        )
                    yield history, keep, ids
        except AssistantError as exc:
            history.append({"role": "assistant", "content": str(exc)})
            yield history, keep, ids
        except Exception:  # noqa: BLE001 - never a traceback in the chat
            log.exception("chat failed")
            history.append({"role": "assistant", "content": t("en", "server_error")})
            yield history, keep, ids

    def on_like(ids: dict[str, str], data: gr.LikeData) -> tuple[Any, str]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        answer_id = (ids or {}).get(str(index))
        if not answer_id:
            return gr.update(visible=False), ""
        rating: Literal["up", "down"] = "up" if data.liked else "down"
        state.feedback.rate(answer_id, rating)
        return gr.update(visible=rating == "down"), answer_id

    def on_comment(answer_id: str, comment: str, ui_lang: str) -> tuple[Any, str]:
        if answer_id and comment.strip():
            state.feedback.rate(answer_id, "down", comment.strip())
            gr.Info(t(LANGUAGE_CHOICES.get(ui_lang, "en"), "thanks"))
        return gr.update(visible=False), ""

    def switch_language(choice: str) -> tuple[Any, ...]:
        text = TEXT[LANGUAGE_CHOICES.get(choice, "en")]
        return (
            gr.update(value=text["intro"]),
            gr.update(label=text["box"], placeholder=text["placeholder"]),
            gr.update(value=text["send"]),
            gr.update(value=text["clear"]),
            gr.update(label=text["comment"]),
            gr.update(value=text["comment_send"]),
        )

    def ask_api(question: str) -> str:
        """Answer one question; the answer followed by its sources, as Markdown."""
        if state.assistant is None:
            return t("en", "index_missing")
        try:
            answer = next(e.answer for e in state.answer(question, [], None, channel="gradio-api") if e.answer)
        except AssistantError as exc:
            return str(exc)
        if not answer.sources:
            return answer.answer
        return f"{answer.answer}\n\n---\n{sources_markdown(answer)}"

    en = TEXT["en"]
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False) as demo:
        ids = gr.State({})
        rated_id = gr.State("")
        with gr.Row(equal_height=True):
            gr.Markdown(f"# {APP_TITLE}", elem_id="title")
            ui_lang = gr.Radio(
                list(LANGUAGE_CHOICES),
                value="English",
                label=LANGUAGE_LABEL,
                elem_id="ui-lang",
                scale=0,
                min_width=220,
            )
        intro = gr.Markdown(en["intro"], elem_id="intro")
        chatbot = gr.Chatbot(
            label="Chat",
            elem_id="chat",
            height=520,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder=CHAT_PLACEHOLDER,
        )
        with gr.Row():
            box = gr.Textbox(
                label=en["box"],
                placeholder=en["placeholder"],
                elem_id="question",
                scale=8,
                max_length=state.settings.max_message_chars,
                autofocus=True,
            )
            send = gr.Button(en["send"], variant="primary", elem_id="send", scale=1, min_width=90)
        with gr.Row(visible=False) as comment_row:
            comment = gr.Textbox(label=en["comment"], elem_id="comment", scale=8)
            comment_send = gr.Button(en["comment_send"], elem_id="comment-send", scale=1)
        clear = gr.Button(en["clear"], elem_id="clear", size="sm")
        gr.Examples(EXAMPLES, inputs=box, label=EXAMPLES_LABEL)

        box.submit(respond, [box, chatbot, ids], [chatbot, box, ids], api_visibility="private")
        send.click(respond, [box, chatbot, ids], [chatbot, box, ids], api_visibility="private")
        clear.click(lambda: ([], {}, ""), None, [chatbot, ids, box], api_visibility="private")
        chatbot.like(on_like, [ids], [comment_row, rated_id], api_visibility="private")
        comment_send.click(on_comment, [rated_id, comment, ui_lang], [comment_row, comment], api_visibility="private")
        ui_lang.change(
            switch_language, ui_lang, [intro, box, send, clear, comment, comment_send], api_visibility="private"
        )
        # The interface language follows the browser's until the owner picks one.
        demo.load(
            None,
            None,
            ui_lang,
            js="() => ((navigator.language || 'en').toLowerCase().startsWith('nl') ? 'Nederlands' : 'English')",
        )
        gr.api(ask_api, api_name="ask")
    return demo


def mount_ui(app: Any, state: AppState) -> Any:
    """Mount the chat page at / on the FastAPI app; returns the app Gradio hands back."""
    theme = gr.themes.Soft(**THEME_FONTS)  # type: ignore[arg-type]
    return gr.mount_gradio_app(app, build_ui(state), path="/", theme=theme, css=CSS, footer_links=[])
