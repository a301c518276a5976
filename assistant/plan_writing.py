"""What an owner reads in a team plan, in English and Dutch: labels, the summary, the first 90 days, job ads.

Kept apart from plan.py so the rules (which roles, when, how) and the wording can be changed separately.
Every sentence here is either a fixed label, a template filled with the plan's own facts, or text quoted
from the guidance (role cards, checklist); nothing here adds a role or a figure.
"""

from __future__ import annotations

from typing import Any

from .plan_rules import PlanFacts

Entry = dict[str, Any]

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "how": {
            "owner": "you, the owner",
            "assistant": "assistant / part-time",
            "freelance": "freelancer",
            "agency": "agency or partner",
            "in-house": "in-house employee",
        },
        "stage": {"starting": "just starting", "growing": "growing", "scaling": "scaling up"},
        "buckets": {"now": "Now", "next": "Next", "later": "Later"},
        "goal_why": "Serves your goal: {goals}.",
        "budget_wait": "A full-time hire does not fit the budget you gave yet.",
        "no_target": "No target in the guidance: measure a baseline in your first month, then agree a target.",
        "basis": {"guidance": "from the guidance", "standard practice": "standard practice"},
        "helper_title": "Assistant for {titles}",
        "one_person": "{items}, together ({how})",
        "ad_how": {"assistant": "part-time assistant", "freelance": "freelancer", "agency": "agency or partner",
                   "in-house": "new colleague (employee)"},
        "and": " and ",
        "people": lambda n: "1 person" if n == 1 else f"{n} people",
        "money": lambda v: f"€{v:,.0f}",
        "summary": "Your shop is {stage}, with {people} on the team{budget}{goals}.",
        "summary_budget": " and {money} a month for people",
        "summary_goals": "; goals for the next 3–6 months: {goals}",
        "summary_owner": "You act as {titles} for now.",
        "summary_now": "Now: {items}.",
        "summary_no_hire": "No new hire now.",
        "summary_next": "Next: {items}.",
        "summary_later": "Later, as the business and budget grow: {items}.",
        "summary_covered": "Already covered: {items}.",
        "summary_tail": "Each role below says how to fill it, why, which KPIs to track and which guidance it rests on.",
        "days": [
            ("Days 1–7", "Write down your goals for the next 3–6 months ({goals}) and your end goal for the next 1–2 "
             "years; they decide which roles come first."),
            ("Days 1–14", "List who does what on your team of {people} today (including the work you do yourself) "
             "and where one person covers too many roles.{covered}"),
            ("Days 8–21", "Write down all seven roles with an owner for each. Now: {now}. Next: {next}. Can wait: "
             "{later}."),
            ("Days 15–45", "{recruit}"),
            ("Days 30–60", "Set up one channel for everyone (such as Slack or Microsoft Teams), including part-timers "
             "and freelancers, hold a short regular team meeting, and be the fixed point of contact for freelancers."),
            ("Days 60–90", "Agree the KPIs and targets below with each new person ({kpis}) and review them monthly; "
             "at day 90, decide whether {first_next} should start."),
        ],
        "no_goals": "for example more visitors, better conversion or faster delivery",
        "covered": " Already covered: {items}.",
        "design_full": "All seven roles have someone now; write down each person's main responsibilities and the "
        "results they own, so every task has an owner.",
        "review_full": "Agree KPIs and targets with each person ({kpis}) and review them monthly.",
        "recruit": "Publish the job ads below for {hires}: use LinkedIn, job boards and Facebook groups{freelance}. "
        "In interviews, ask for concrete examples and results and test the candidate's understanding of e-commerce.",
        "recruit_freelance": ", and for a freelancer also your network and freelance platforms",
        "recruit_none": "No new hire now: write the job description for {first_next}, so you are ready when the "
        "workload or budget allows.",
        "nothing": "nothing",
        "nobody_next": "the next hire",
        "ad": {
            "intro": "We are an online shop that is {stage}, with a team of {people}. We are looking for a {how}: "
            "{title}.",
            "goals": "Our goals for the next 3–6 months: {goals}.",
            "what": "What you will do",
            "skills": "What you bring",
            "kpis": "How we measure success",
            "team": "How you work with the team",
        },
        "md": {"title": "Team plan", "kpis": "KPIs", "sources": "Sources", "days": "First 90 days", "ads": "Job ads",
               "covered": "Already covered"},
    },
    "nl": {
        "how": {
            "owner": "jij, de eigenaar",
            "assistant": "assistent / parttime",
            "freelance": "freelancer",
            "agency": "bureau of partner",
            "in-house": "eigen medewerker in dienst",
        },
        "stage": {"starting": "net begonnen", "growing": "aan het groeien", "scaling": "aan het opschalen"},
        "buckets": {"now": "Nu", "next": "Daarna", "later": "Later"},
        "goal_why": "Past bij je doel: {goals}.",
        "budget_wait": "Een fulltime medewerker past nog niet in het budget dat je opgaf.",
        "no_target": "Geen streefwaarde in de richtlijnen: doe in je eerste maand een nulmeting en spreek dan een "
        "doel af.",
        "basis": {"guidance": "uit de richtlijnen", "standard practice": "gangbare praktijk"},
        "helper_title": "Assistent voor {titles}",
        "one_person": "{items}, samen ({how})",
        "ad_how": {"assistant": "parttime assistent", "freelance": "freelancer", "agency": "bureau of partner",
                   "in-house": "nieuwe collega in dienst"},
        "and": " en ",
        "people": lambda n: "1 persoon" if n == 1 else f"{n} mensen",
        "money": lambda v: "€ " + f"{v:,.0f}".replace(",", "."),
        "summary": "Je webshop is {stage}, met {people} in het team{budget}{goals}.",
        "summary_budget": " en {money} per maand voor personeel",
        "summary_goals": "; doelen voor de komende 3–6 maanden: {goals}",
        "summary_owner": "Voorlopig ben jij {titles}.",
        "summary_now": "Nu: {items}.",
        "summary_no_hire": "Nu geen nieuwe aanwinst.",
        "summary_next": "Daarna: {items}.",
        "summary_later": "Later, als je bedrijf en budget groeien: {items}.",
        "summary_covered": "Al ingevuld: {items}.",
        "summary_tail": "Bij elke rol hieronder staat hoe je hem invult, waarom, welke KPI's je volgt en op welke "
        "richtlijnen het advies steunt.",
        "days": [
            ("Dag 1–7", "Schrijf je doelen voor de komende 3–6 maanden op ({goals}) en je einddoel voor de komende "
             "1–2 jaar; die bepalen welke rollen voorgaan."),
            ("Dag 1–14", "Zet op een rij wie wat doet in je team van {people} (ook het werk dat je zelf doet) en "
             "waar één persoon te veel rollen draagt.{covered}"),
            ("Dag 8–21", "Schrijf alle zeven rollen op met voor elke rol een eigenaar. Nu: {now}. Daarna: {next}. "
             "Kan wachten: {later}."),
            ("Dag 15–45", "{recruit}"),
            ("Dag 30–60", "Richt één kanaal in voor iedereen (zoals Slack of Microsoft Teams), ook voor parttimers en "
             "freelancers, houd een kort vast teamoverleg en wees het vaste aanspreekpunt voor freelancers."),
            ("Dag 60–90", "Spreek de KPI's en streefwaarden hieronder af met elke nieuwe kracht ({kpis}) en bespreek "
             "ze maandelijks; beslis op dag 90 of {first_next} kan beginnen."),
        ],
        "no_goals": "bijvoorbeeld meer bezoekers, betere conversie of snellere levering",
        "covered": " Al ingevuld: {items}.",
        "design_full": "Alle zeven rollen zijn nu ingevuld; schrijf per persoon de belangrijkste verantwoordelijkheden "
        "en resultaten op, zodat elke taak een eigenaar heeft.",
        "review_full": "Spreek met elke medewerker KPI's en streefwaarden af ({kpis}) en bespreek ze maandelijks.",
        "recruit": "Plaats de vacatures hieronder voor {hires}: gebruik LinkedIn, vacaturesites en Facebookgroepen"
        "{freelance}. Vraag in gesprekken naar concrete voorbeelden en resultaten en toets hoe goed de kandidaat "
        "e-commerce begrijpt.",
        "recruit_freelance": ", en voor een freelancer ook je netwerk en freelanceplatforms",
        "recruit_none": "Nu geen nieuwe aanwinst: schrijf alvast de functieomschrijving voor {first_next}, zodat je "
        "klaar bent als het werk of het budget het toelaat.",
        "nothing": "niets",
        "nobody_next": "de volgende aanwinst",
        "ad": {
            "intro": "Wij zijn een webshop die {stage} is, met een team van {people}. We zoeken een {how}: {title}.",
            "goals": "Onze doelen voor de komende 3–6 maanden: {goals}.",
            "what": "Wat je gaat doen",
            "skills": "Wat je meebrengt",
            "kpis": "Hoe we succes meten",
            "team": "Hoe je samenwerkt met het team",
        },
        "md": {"title": "Teamplan", "kpis": "KPI's", "sources": "Bronnen", "days": "De eerste 90 dagen",
               "ads": "Vacatures", "covered": "Al ingevuld"},
    },
}  # fmt: skip


def join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + TEXT[lang]["and"] + items[-1]


def item(entry: Entry, lang: str) -> str:
    return f"{entry['title']} ({TEXT[lang]['how'][entry['how']]})"


def items(entries: list[Entry], lang: str) -> str:
    """Entries as a list, one person's shared roles (the small shop's assistant) named together."""
    out: list[str] = []
    seen: set[str] = set()
    for e in entries:
        if e["role"] in seen:
            continue
        group = [x for x in entries if x["role"] in (e["role"], *e.get("shared_with", []))]
        seen.update(x["role"] for x in group)
        if len(group) == 1:
            out.append(item(e, lang))
        else:
            titles = join([x["title"] for x in group], lang)
            out.append(TEXT[lang]["one_person"].format(items=titles, how=TEXT[lang]["how"][e["how"]]))
    return join(out, lang)


def lower_first(title: str) -> str:
    """'E-commerce manager' inside a sentence, but 'UX/UI designer' stays as it is."""
    first = title.split(" ")[0]
    return title if sum(c.isupper() for c in first) > 1 else title[:1].lower() + title[1:]


def summary(inputs: dict[str, Any], plan: dict[str, list[Entry]], goal_names: list[str], lang: str) -> str:
    t = TEXT[lang]
    budget = t["summary_budget"].format(money=t["money"](inputs["budget"])) if inputs["budget"] is not None else ""
    goals = t["summary_goals"].format(goals=join(goal_names, lang)) if goal_names else ""
    parts = [t["summary"].format(stage=t["stage"][inputs["stage"]], people=t["people"](inputs["people"]),
                                 budget=budget, goals=goals)]  # fmt: skip
    owner = [e for e in plan["now"] if e["how"] == "owner"]
    hires = [e for e in plan["now"] if e["how"] != "owner"]
    if owner:
        parts.append(t["summary_owner"].format(titles=join([lower_first(e["title"]) for e in owner], lang)))
    parts.append(t["summary_now"].format(items=items(hires, lang)) if hires else t["summary_no_hire"])
    for key in ("next", "later"):
        if plan[key]:
            parts.append(t[f"summary_{key}"].format(items=items(plan[key], lang)))
    if plan["covered"]:
        parts.append(t["summary_covered"].format(items=join([e["title"] for e in plan["covered"]], lang)))
    parts.append(t["summary_tail"])
    return " ".join(parts)


def _cite(facts: PlanFacts, section: Any) -> dict[str, str] | None:
    return {"source": section.source, "section": section.section} if section is not None else None


def first_90_days(
    facts: PlanFacts, inputs: dict[str, Any], plan: dict[str, list[Entry]], goal_names: list[str], lang: str
) -> list[dict[str, Any]]:
    """The checklist's steps, in order, with this shop's roles, goals and KPIs filled in."""
    t = TEXT[lang]
    hires = [e for e in plan["now"] if e["how"] != "owner"]
    names = lambda entries: join([e["title"] for e in entries], lang) or t["nothing"]  # noqa: E731
    first_next = plan["next"][0]["title"] if plan["next"] else t["nobody_next"]
    if hires:
        freelance = t["recruit_freelance"] if any(e["how"] in ("freelance", "agency") for e in hires) else ""
        recruit = t["recruit"].format(hires=names(hires), freelance=freelance)
    else:
        recruit = t["recruit_none"].format(first_next=first_next)
    kpis = list(dict.fromkeys(k["name"] for e in hires or plan["now"] or plan["covered"] for k in e["kpis"]))[:7]
    values = {
        "goals": join(goal_names, lang) or t["no_goals"],
        "people": t["people"](inputs["people"]),
        "covered": t["covered"].format(items=names(plan["covered"])) if plan["covered"] else "",
        "now": names(plan["now"]),
        "next": names(plan["next"]),
        "later": names(plan["later"]),
        "recruit": recruit,
        "kpis": ", ".join(kpis),
        "first_next": first_next,
    }
    cites = [
        facts.checklist_step(1, lang),
        facts.checklist_step(2, lang),
        facts.checklist_step(4, lang),
        facts.checklist_step(5, lang),
        facts.checklist_step(6, lang),
        facts.source("kpis-per-role", lang),
    ]
    steps = list(t["days"])
    if not (plan["now"] or plan["next"] or plan["later"]):  # a complete team: no hiring steps
        steps[2], steps[5] = (steps[2][0], t["design_full"]), (steps[5][0], t["review_full"])
    return [
        {"days": days, "text": text.format(**values), "source": _cite(facts, sec)}
        for (days, text), sec in zip(steps, cites, strict=True)
    ]


def _bullets(text: str) -> list[str]:
    return [line.strip()[2:].strip() for line in text.split("\n") if line.strip().startswith("- ")]


def _about(bullet: str, titles: list[str]) -> bool:
    """A 'works with' bullet about one of the ad's own roles ('**Customer service:** …' in its own ad)."""
    label = bullet[2 : bullet.find(":**")].strip().lower() if bullet.startswith("**") and ":**" in bullet else ""
    return bool(label) and any(title.lower().startswith(label) for title in titles)


def job_ad(facts: PlanFacts, entries: list[Entry], inputs: dict[str, Any], goal_names: list[str], lang: str) -> str:
    """A Markdown job ad for one hire (one person may cover several roles, like the small shop's assistant)."""
    t, ad = TEXT[lang], TEXT[lang]["ad"]
    titles = [e["title"] for e in entries]
    title = t["helper_title"].format(titles=join(titles, lang)) if len(entries) > 1 else titles[0]
    how = entries[0]["how"]
    lines = [f"# {title} ({t['how'][how]})", ""]
    intro = ad["intro"].format(
        stage=t["stage"][inputs["stage"]], people=t["people"](inputs["people"]), how=t["ad_how"][how],
        title=join(titles, lang),
    )  # fmt: skip
    lines += [intro + (" " + ad["goals"].format(goals=join(goal_names, lang)) if goal_names else ""), ""]
    for kind in ("what", "skills", "team"):
        bullets: list[str] = []
        for e in entries:
            sec = facts.role_section(e["role"], kind, lang)
            bullets += [b for b in _bullets(sec.text if sec else "") if b not in bullets and not _about(b, titles)]
        if bullets:
            lines += [f"## {ad[kind]}", "", *[f"- {b}" for b in bullets], ""]
        if kind == "skills":
            kpis = [f"- **{k['name']}**: {k['target']}" for e in entries for k in e["kpis"]]
            lines += [f"## {ad['kpis']}", "", *kpis, ""]
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(plan: dict[str, Any]) -> str:
    """The whole plan as one Markdown document, for download or print."""
    lang = plan["lang"]
    t, md = TEXT[lang], TEXT[lang]["md"]
    lines = [f"# {md['title']}", "", plan["summary"], ""]
    for key in ("now", "next", "later"):
        if not plan[key]:
            continue
        lines += [f"## {t['buckets'][key]}", ""]
        for e in plan[key]:
            lines += [f"### {item(e, lang)}", "", e["why"], "", f"**{md['kpis']}**", ""]
            lines += [f"- {k['name']}: {k['target']} ({t['basis'][k['basis']]})" for k in e["kpis"]]
            lines += ["", f"**{md['sources']}**", ""]
            lines += [f"- {s['source']} — {s['section']}" for s in e["sources"]] + [""]
    if plan["covered"]:
        lines += [f"## {md['covered']}", "", *[f"- {e['title']}" for e in plan["covered"]], ""]
    lines += [f"## {md['days']}", ""]
    for step in plan["first_90_days"]:
        cite = f" ({step['source']['source']} — {step['source']['section']})" if step["source"] else ""
        lines.append(f"- **{step['days']}**: {step['text']}{cite}")
    if plan["job_ads"]:
        lines += ["", f"## {md['ads']}", ""]
        for ad in plan["job_ads"]:
            lines += [("##" + line if line.startswith("#") else line) for line in ad["markdown"].split("\n")]
    return "\n".join(lines).rstrip() + "\n"
