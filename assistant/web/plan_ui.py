"""The chat page's "Team plan" tab (issue #14): a short form, the plan, a Markdown download and a print view.

It calls the same `make_plan` as the REST route (web/plan.py), so the page, the API and the CLI give one
plan. `plan_tab` adds this tab beside the chat; `/?tab=plan` (the widget's link, the chat's
pointer) opens on the plan, and `&lang=nl&people=3` fill the form.
"""

from __future__ import annotations

import hashlib
import html
import logging
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import AssistantError
from ..knowledge import load_knowledge
from ..plan import to_markdown
from ..plan_rules import GOALS, STAGES, read_rules
from ..texts import LANGUAGE_CHOICES, TEXT, t
from .lifecycle import AppState
from .plan import make_plan, plan_query, planner_for
from .responses import ApiError

log = logging.getLogger("assistant.web")
_DOWNLOADS = Path(tempfile.mkdtemp(prefix="assistant-plans-"))


def _goal_choices(state: AppState, lang: str) -> list[tuple[str, str]]:
    """Goal names from the plan rules of the active index version (those the plans are made from, already parsed
    for the role choices); while there is no index yet, from knowledge/plan.yaml."""
    try:
        rules: dict[str, Any] | None = planner_for(state).source.facts().rules
    except AssistantError:
        rules, _, _ = read_rules(state.settings.knowledge_dir)
    goals = (rules or {}).get("goals", {})
    return [(str(goals.get(g, {}).get("name", {}).get(lang) or g), g) for g in GOALS]


def _role_choices(state: AppState, lang: str) -> list[tuple[str, str]]:
    """Role titles from the active index version's cards; while there is no index yet, from the guidance files.

    The guidance, not a list in the code, says which roles exist: a maintainer who adds a role file sees it here.
    """
    try:
        facts = planner_for(state).source.facts()
        ids = facts.role_ids()
        return [(facts.card(r, lang).title.split(" / ")[0], r) for r in ids]
    except AssistantError:
        pass
    try:
        documents = load_knowledge(state.settings.knowledge_dir).documents
    except (AssistantError, OSError):
        return []
    titles: dict[str, str] = {}
    for doc in sorted(documents, key=lambda d: d.lang != lang):  # the asker's language first
        if doc.doc_type == "role" and doc.role_id:
            titles.setdefault(doc.role_id, doc.title.split(" / ")[0])
    return sorted(((title, role) for role, title in titles.items()), key=lambda choice: choice[1])


def _download_file(markdown: str, lang: str) -> str:
    """The plan as a file Gradio can serve; the same plan is the same file."""
    folder = _DOWNLOADS / hashlib.sha256(markdown.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("teamplan.md" if lang == "nl" else "team-plan.md")
    path.write_text(markdown, encoding="utf-8")
    return str(path)


def build_plan_tab(state: AppState) -> dict[str, Any]:
    """The tab's contents, built inside the caller's `gr.Tab`; returns the components `plan_tab` fills."""
    en = TEXT["en"]
    intro = gr.Markdown(en["plan_intro"], elem_id="plan-intro")
    with gr.Row():
        with gr.Column(scale=2, min_width=280):
            lang = gr.Radio(list(LANGUAGE_CHOICES), value="EN", label=en["plan_lang"], elem_id="plan-lang")
            people = gr.Number(value=1, minimum=1, precision=0, label=en["plan_people"], elem_id="plan-people")
            stage = gr.Radio(
                [(en[f"plan_stage_{s}"], s) for s in STAGES],
                value="starting",
                label=en["plan_stage"],
                elem_id="plan-stage",
            )
            budget = gr.Number(value=None, minimum=0, label=en["plan_budget"], elem_id="plan-budget")
            goals = gr.CheckboxGroup(_goal_choices(state, "en"), label=en["plan_goals"], elem_id="plan-goals")
            have = gr.CheckboxGroup(_role_choices(state, "en"), label=en["plan_have"], elem_id="plan-have")
            make = gr.Button(en["plan_make"], variant="primary", elem_id="plan-make")
        with gr.Column(scale=3, min_width=320):
            with gr.Row():
                download = gr.DownloadButton(en["plan_download"], visible=False, elem_id="plan-download", size="sm")
                links = gr.HTML("", elem_id="plan-links")
            output = gr.Markdown(en["plan_empty"], elem_id="plan-output")

    def on_make(
        choice: str, n: Any, st: str, money: Any, gs: list[str], hs: list[str], request: gr.Request
    ) -> tuple[Any, Any, Any]:
        code = LANGUAGE_CHOICES.get(choice, "en")
        wait = state.limiter.check("chat", state.limiter.client(request))  # plans share the chat's allowance
        if wait:
            return gr.update(value=t(code, "rate_limited", n=wait)), gr.update(visible=False), ""
        inputs = {"people": n, "stage": st, "budget": money, "goals": gs or [], "have": hs or [], "lang": code}
        try:
            plan = make_plan(state, inputs)
        except ApiError as exc:
            return (
                gr.update(value=f"**{t(code, 'plan_error')}**: {html.escape(exc.message)}"),
                gr.update(visible=False),
                "",
            )
        except Exception:  # noqa: BLE001 - never a traceback on the page
            log.exception("plan failed")
            return gr.update(value=t(code, "server_error")), gr.update(visible=False), ""
        markdown = to_markdown(plan)
        query = html.escape(plan_query(plan), quote=True)
        link = (
            f'<a href="plan/print?{query}" target="_blank" rel="noopener" id="plan-print">{t(code, "plan_print")}</a>'
        )
        return gr.update(value=markdown), gr.update(value=_download_file(markdown, code), visible=True), link

    def on_lang(choice: str) -> tuple[Any, ...]:
        code = LANGUAGE_CHOICES.get(choice, "en")
        text = TEXT[code]
        return (
            gr.update(value=text["plan_intro"]),
            gr.update(label=text["plan_lang"]),
            gr.update(label=text["plan_people"]),
            gr.update(label=text["plan_stage"], choices=[(text[f"plan_stage_{s}"], s) for s in STAGES]),
            gr.update(label=text["plan_budget"]),
            gr.update(label=text["plan_goals"], choices=_goal_choices(state, code)),
            gr.update(label=text["plan_have"], choices=_role_choices(state, code)),
            gr.update(value=text["plan_make"]),
            gr.update(value=text["plan_download"]),
        )

    form = [lang, people, stage, budget, goals, have]
    room = state.settings.chat_concurrency  # as every handler of the page (ui.py)
    make.click(on_make, form, [output, download, links], api_visibility="private", concurrency_limit=room)
    lang.change(
        on_lang,
        lang,
        [intro, lang, people, stage, budget, goals, have, make, download],
        api_visibility="private",
        concurrency_limit=room,
    )
    return {"lang": lang, "people": people}


def plan_tab(state: AppState, ui_lang: gr.Radio, page: gr.Blocks) -> None:
    """The "Team plan" tab of the chat page: it follows the page's language switch, and `?people=N` fills the form
    (`?tab=plan` opening it is done by the page's script)."""
    with gr.Tab(TEXT["en"]["plan_tab"], id="plan", elem_id="plan-tab") as tab:
        form = build_plan_tab(state)

    def follow(choice: str) -> tuple[Any, Any]:
        return choice, gr.update(label=TEXT[LANGUAGE_CHOICES.get(choice, "en")]["plan_tab"])

    def fill_from_url(request: gr.Request) -> Any:
        people = str(request.query_params.get("people", "")) if request is not None else ""
        return int(people) if people.isdigit() and len(people) < 4 else gr.skip()

    room = state.settings.chat_concurrency
    ui_lang.change(follow, ui_lang, [form["lang"], tab], api_visibility="private", concurrency_limit=room)
    page.load(fill_from_url, None, form["people"], api_visibility="private", concurrency_limit=room)
