"""Every user-facing sentence, in both languages: what the assistant says on its own and what the chat page shows.

One catalogue, so a translation is checked in one place; the LLM prompts live in prompts.py.
"""

from __future__ import annotations

TEXT = {
    "en": {
        "decline": (
            "I couldn't find anything about that in my guidance, so I won't guess. I help online shop owners "
            "build their e-commerce team: which roles you need and when, in-house or freelance, KPIs per "
            'role, where to start, and a step-by-step checklist. Try for example: "We are a two-person '
            'webshop, what team do we need first?"'
        ),
        "empty": "Please type a question about building your e-commerce team.",
        "too_long": "Your question is too long ({n} characters; the limit is {limit}). Please shorten it.",
        "not_text": "That doesn't look like a question in text. Please type your question in words.",
        "llm_down": "The AI model was unavailable, so this answer was composed directly from the guidance.",
        "cut_off": "The answer was cut off here; ask about one part of it for the rest.",
        "index_missing": "The knowledge index is not ready yet. Please try again in a moment.",
        "index_unavailable": "The assistant is temporarily unavailable. Please try again in a moment.",
        "also": "Also relevant:",
        "no_amounts": "The guide gives no amounts or salaries. What it says about the cost of a team:",
        "rate_limited": "Too many questions in a row. Please try again in {n} s.",
        "overview_query": "What are the steps to an e-commerce team structure that fits my business?",
        # the chat page
        "intro": (
            "**Build your e-commerce team, one role at a time.** Ask which roles your shop needs and when, "
            "in-house or freelance, KPIs per role, where to start, or about the coffee-shop case. Every answer "
            "shows the guidance it comes from. *I only know the team-building guidance: for tax, law or "
            "anything else, ask an expert.* You can ask in English or Dutch."
        ),
        "box": "Your question",
        "placeholder": "e.g. We are a two-person webshop, what team do we need first?",
        "send": "Send",
        "clear": "Clear chat",
        "comment": "What was wrong or missing? (optional)",
        "comment_send": "Send feedback",
        "examples": "Examples",
        "thanks": "Thanks, your feedback helps us improve the guidance.",
        "sources": "Sources",
        "server_error": "Something went wrong on our side. Please try again.",
        "language": "Language",
        "title_short": "Team assistant",
        "chat_label": "Conversation",
        "chat_empty": "Ask about roles, hiring order, in-house or freelance, or KPIs per role.",
        "stop": "Stop",
        "chars_left": "{n} characters left",
        "chars_over": "{n} characters too long: the limit is {limit}. Please shorten your question.",
        "stopped": "(stopped)",
        # the widget
        "w_title": "Team advice",
        "w_open": "Open chat: {title}",
        "w_close": "Close chat",
        "w_plan": "Make a team plan",
        "w_ask": "Ask",
        "w_placeholder": "E.g. what team do I need first?",
        "w_greeting": "Hi! I help you build your e-commerce team: roles, in-house or freelance, KPIs per role.",
        "w_busy": "Thinking…",
        "w_error": "Something went wrong. Please try again.",
        "w_up": "Helpful",
        "w_down": "Not helpful",
        "w_copy": "Copy",
        "w_copied": "Copied",
        "w_comment_send": "Send",
        "w_file": "File",
    },
    "nl": {
        "decline": (
            "Daar vind ik niets over in mijn richtlijnen, dus ik ga niet gokken. Ik help eigenaren van "
            "webshops hun e-commerceteam op te bouwen: welke rollen je wanneer nodig hebt, zelf in dienst of "
            "freelance, KPI's per rol, waar je begint en een stappenplan. Vraag bijvoorbeeld: \"We zijn een "
            'webshop met twee mensen, welk team hebben we als eerste nodig?"'
        ),
        "empty": "Typ een vraag over het opbouwen van je e-commerceteam.",
        "too_long": "Je vraag is te lang ({n} tekens; de limiet is {limit}). Maak hem korter.",
        "not_text": "Dat lijkt geen vraag in tekst. Typ je vraag in woorden.",
        "llm_down": "Het AI-model was niet bereikbaar; dit antwoord is rechtstreeks uit de richtlijnen samengesteld.",
        "cut_off": "Het antwoord werd hier afgebroken; vraag naar één deel ervan voor de rest.",
        "index_missing": "De kennisbank is nog niet klaar. Probeer het zo meteen opnieuw.",
        "index_unavailable": "De assistent is tijdelijk niet beschikbaar. Probeer het zo meteen opnieuw.",
        "also": "Ook relevant:",
        "no_amounts": "De gids noemt geen bedragen of salarissen. Wat hij zegt over de kosten van een team:",
        "rate_limited": "Je stelt veel vragen achter elkaar. Probeer het over {n} s opnieuw.",
        "overview_query": "Welke stappen zet ik naar een e-commerceteamstructuur die past bij mijn bedrijf?",
        # the chat page
        "intro": (
            "**Bouw je e-commerceteam, rol voor rol.** Vraag welke rollen je webshop wanneer nodig heeft, "
            "zelf in dienst of freelance, KPI's per rol, waar je begint, of naar de case van de koffiezaak. "
            "Bij elk antwoord zie je uit welke richtlijn het komt. *Ik ken alleen de richtlijnen over je team: "
            "voor belasting, recht of andere zaken vraag je een expert.* Je kunt in het Nederlands of Engels vragen."
        ),
        "box": "Je vraag",
        "placeholder": "Bijv. We zijn met z'n tweeën, wie nemen we als eerste aan?",
        "send": "Verstuur",
        "clear": "Wis gesprek",
        "comment": "Wat was er mis of wat ontbrak? (optioneel)",
        "comment_send": "Verstuur feedback",
        "examples": "Voorbeelden",
        "thanks": "Bedankt, met je feedback verbeteren we de richtlijnen.",
        "sources": "Bronnen",
        "server_error": "Er ging bij ons iets mis. Probeer het opnieuw.",
        "language": "Taal",
        "title_short": "Teamassistent",
        "chat_label": "Gesprek",
        "chat_empty": "Vraag naar rollen, de volgorde van aannemen, zelf in dienst of freelance, of KPI's per rol.",
        "stop": "Stop",
        "chars_left": "Nog {n} tekens",
        "chars_over": "{n} tekens te lang: de limiet is {limit}. Maak je vraag korter.",
        "stopped": "(gestopt)",
        # the widget
        "w_title": "Teamadvies",
        "w_open": "Open de chat: {title}",
        "w_close": "Sluit de chat",
        "w_plan": "Maak een teamplan",
        "w_ask": "Vraag",
        "w_placeholder": "Bijv. welk team heb ik eerst nodig?",
        "w_greeting": (
            "Hoi! Ik help je je e-commerceteam op te bouwen: rollen, zelf in dienst of freelance, KPI's per rol."
        ),
        "w_busy": "Even denken…",
        "w_error": "Er ging iets mis. Probeer het opnieuw.",
        "w_up": "Nuttig",
        "w_down": "Niet nuttig",
        "w_copy": "Kopieer",
        "w_copied": "Gekopieerd",
        "w_comment_send": "Verstuur",
        "w_file": "Bestand",
    },
}


APP_TITLE = "E-commerce team assistant"
LANGUAGE_CHOICES = {"EN": "en", "NL": "nl"}  # the chat page's language switch: short, each in its own language
EXAMPLES = {
    "en": [
        "We are a two-person webshop, what team do we need first?",
        "Should I hire in-house or outsource?",
        "Which KPIs should my digital marketer have?",
    ],
    "nl": [
        "Welke KPI's gebruik ik voor mijn klantenservice?",
        "Moet ik SEO uitbesteden aan een freelancer?",
        "Wat deed de koffiewebshop om de conversie te verhogen?",
    ],
}
WIDGET_KEYS = [k for k in TEXT["en"] if k.startswith("w_")] + ["sources", "too_long", "rate_limited", "thanks"]
WIDGET_KEYS += ["chars_left", "chars_over", "comment"]


def t(lang: str, key: str, **kwargs: object) -> str:
    """The text `key` in `lang` (English for a language we do not serve), with its {placeholders} filled."""
    return TEXT.get(lang, TEXT["en"])[key].format(**kwargs)


# The team-plan builder (issue #14): the chat page's tab, the print page and the chat's pointer to it.
TEXT["en"].update(
    {
        "plan_pointer": "_Want a plan for your own shop, with roles now, next and later, KPIs and job ads? "
        "Use the team-plan builder: [Team plan]({link})._",
        "plan_tab": "Team plan",
        "plan_intro": "**A team plan for your shop.** Fill in a few facts: the plan says which roles you need now, "
        "next and later, how to fill each and why, the KPIs to track and the guidance it rests on, with the "
        "first 90 days and a job ad for every hire now.",
        "plan_people": "People on the team now (you included)",
        "plan_stage": "Stage",
        "plan_stage_starting": "Just starting",
        "plan_stage_growing": "Growing",
        "plan_stage_scaling": "Scaling up",
        "plan_budget": "Monthly budget for people, in € (optional)",
        "plan_goals": "Goals for the next 3–6 months",
        "plan_have": "Roles already covered",
        "plan_lang": "Language of the plan",
        "plan_make": "Make my plan",
        "plan_download": "Download as Markdown",
        "plan_print": "Printable view",
        "plan_print_button": "Print or save as PDF",
        "plan_title": "Team plan",
        "plan_error": "This plan could not be made",
        "plan_empty": "Your plan appears here.",
    }
)
TEXT["nl"].update(
    {
        "plan_pointer": "_Wil je een plan voor je eigen webshop, met rollen nu, straks en later, KPI's en "
        "vacatureteksten? Gebruik de teamplanner: [Teamplan]({link})._",
        "plan_tab": "Teamplan",
        "plan_intro": "**Een teamplan voor je webshop.** Vul een paar gegevens in: het plan zegt welke rollen je nu, "
        "straks en later nodig hebt, hoe je ze invult en waarom, welke KPI's je volgt en op welke richtlijnen het "
        "rust, met de eerste 90 dagen en een vacaturetekst voor elke aanname nu.",
        "plan_people": "Mensen in het team nu (jij meegeteld)",
        "plan_stage": "Fase",
        "plan_stage_starting": "Net begonnen",
        "plan_stage_growing": "Groeiend",
        "plan_stage_scaling": "Opschalen",
        "plan_budget": "Maandbudget voor mensen, in € (optioneel)",
        "plan_goals": "Doelen voor de komende 3–6 maanden",
        "plan_have": "Rollen die al ingevuld zijn",
        "plan_lang": "Taal van het plan",
        "plan_make": "Maak mijn plan",
        "plan_download": "Download als Markdown",
        "plan_print": "Printversie",
        "plan_print_button": "Afdrukken of opslaan als pdf",
        "plan_title": "Teamplan",
        "plan_error": "Dit plan kon niet gemaakt worden",
        "plan_empty": "Je plan verschijnt hier.",
    }
)
