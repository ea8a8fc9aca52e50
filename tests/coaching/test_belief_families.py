"""What the watch hears (issue #15): limiting beliefs that don't say "can't" or "never"
(generalisations, verdicts on people or the market, futility, "a fantasy", "not the kind of
company that…"), and, left alone, the documented categories: questions, negations, quotes,
code, idioms, facts of the calendar and rules, plans, and beliefs reported to challenge them.

The held-out figures are a benchmark (bench/beliefs.py), not a test; the corpus's shape is."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.beliefs import MAX_SENTENCES, limiting_belief

HEARD = [
    # the way things are
    "That's just the way it is.",
    "That's the culture here, everything takes three approvals.",
    "It is what it is, we just have to live with it.",
    "Waiting lists are just a fact of life in this trust.",
    "Reducing returns is out of our hands.",
    "There's nothing we can do about churn.",
    "That's just the way big companies are.",
    # futility, fantasy
    "There's no point calling them again, they've made up their minds.",
    "It's pointless to refactor when product changes the spec every week.",
    "Getting parents to come to evening events is hopeless.",
    "The Q4 number is a fantasy.",
    "Doubling the pipeline by March is a pipe dream.",
    "Inter-agency data sharing is never going to happen.",
    # who we are, what we lack
    "We're not the kind of company that wins public tenders.",
    "We don't have the talent to build our own platform.",
    "Our customers are too conservative to try anything new.",
    "We're too small to negotiate with carriers.",
    "We're just not good at selling to developers.",
    # generalisations about a group
    "Donors only give at Christmas.",
    "Customers only care about price, nothing else matters to them.",
    "Volunteers never stay longer than a few months.",
    "Parents here just don't engage with the school.",
    "Procurement always kills deals like this.",
    "Legal will block it, they always do.",
    "Nobody buys from a company our size.",
    "Nobody here reads the policy updates.",
    "Lean doesn't work in a plant like ours.",
    "Juniors can't be trusted with on-call.",
    "The data team never has time for us.",
    "We'll always be the underdog in this market.",
]

LEFT_ALONE = {
    "question": [
        "Is it really impossible to ship this quarter?",
        "Why do we think customers won't pay for it?",
        "Do parents really not engage, or do we not invite them well?",
        "what makes us think it won't work here",
        "Are donors really only giving at Christmas?",
        "Is zero downtime really a fantasy",
    ],
    "negation": [
        "It's not impossible, just hard.",
        "I don't think we're too small to win this.",
        "It's not true that customers only care about price.",
        "Nobody said we can't compete.",
        "It's not hopeless at all, the trial worked.",
        "That's not a fantasy anymore, we signed the first council.",
    ],
    "quote": [
        "> We can't compete with the big vendors on features.",
        '"Customers only care about price" is what we heard from three prospects.',
        "The book is called \u201cNobody Buys From Startups\u201d.",
        "> Volunteers never stay longer than a few months.",
    ],
    "code": [
        "`if not can_deploy: return`",
        "```python\nif nobody_reads_docs:\n    write_them_anyway()\n```",
        "Rename `isImpossible` to `isBlocked`.",
        "```SELECT * FROM deals WHERE status = 'never_closes';```",
    ],
    "idiom": [
        "I can't wait to see the demo!",
        "You can't make this stuff up.",
        "Never say never!",
        "We will never give up on our patients.",
        "No way, congrats on the launch!",
        "This bug is impossible to reproduce on staging.",
        "The coffee machine never disappoints.",
        "It was a fantasy football league, not a real one.",
        "Better late than never.",
    ],
    "fact or rule": [
        "We can't deploy during the freeze, so Monday it is.",
        "The build always takes ten minutes, grab a coffee.",
        "The office is never open on Sundays.",
        "Customers in that region can't pay by card yet, only bank transfer.",
        "The regulation says we can't store patient data outside the EU.",
        "The depot never loads trucks after 8pm for noise reasons.",
        "Parents only need to sign the first page.",
        "We're too late for this year's round, the next one opens in March.",
        "The numbers are too good to be true, let's double-check the query.",
    ],
    "plan": [
        "There's no point in both of us joining, I'll take notes.",
        "It's pointless to argue about the font, let's pick one and move on.",
        "The old printer will never print double-sided, use the new one.",
        "The budget is too small for a big launch, so let's do a soft launch first.",
    ],
    "reported to challenge": [
        "Someone said customers won't pay, let's test that with five calls.",
        "The board thinks we can't grow in Germany, I want to challenge that.",
        "I keep hearing that volunteers never stay, but our retention is up 20%.",
        "They said it was impossible, and then we did it.",
        "People keep saying it's the culture; I think it's a story we tell ourselves.",
    ],
}


@pytest.mark.parametrize("text", HEARD)
def test_limiting_beliefs_beyond_cant_and_never_are_heard(text):
    found = limiting_belief(text)
    assert found is not None, text
    assert found.phrase.lower() in found.sentence.lower()


@pytest.mark.parametrize(
    "category, text", [(category, text) for category, texts in LEFT_ALONE.items() for text in texts]
)
def test_documented_categories_are_left_alone(category, text):
    assert limiting_belief(text) is None, f"{category}: {text}"


heard = st.sampled_from(HEARD)


@settings(max_examples=150, deadline=None)
@given(heard, st.sampled_from(["Why do we say ", "Is it true that ", "Do we really think "]))
def test_any_belief_asked_as_a_question_is_left_alone(text, opener):
    assert limiting_belief(opener + text[0].lower() + text[1:].rstrip(".!") + "?") is None


@settings(max_examples=150, deadline=None)
@given(heard, st.sampled_from(["`{}`", "```\n{}\n```", "> {}", '"{}"', "\u201c{}\u201d", "\u00ab{}\u00bb"]))
def test_any_belief_in_code_or_quotes_is_left_alone(text, wrapper):
    assert limiting_belief(wrapper.format(text)) is None


@settings(max_examples=150, deadline=None)
@given(
    heard,
    st.sampled_from(["It's not true that ", "Who says ", "I don't believe ", "If ", "Unless ", "We used to think "]),
)
def test_any_belief_disputed_or_in_a_condition_is_left_alone(text, prefix):
    assert limiting_belief(prefix + text[0].lower() + text[1:]) is None


@settings(max_examples=150, deadline=None)
@given(heard, st.sampled_from([", but let's test it", ", I'll look into it", ", I want to challenge that"]))
def test_any_belief_followed_by_a_plan_or_a_challenge_is_left_alone(text, after):
    assert limiting_belief(text.rstrip(".!") + after + ".") is None


@settings(max_examples=100, deadline=None)
@given(heard, st.integers(min_value=0, max_value=MAX_SENTENCES - 1))
def test_a_belief_is_heard_among_the_first_sentences_and_not_past_them(text, before):
    assert limiting_belief("Morning all. " * before + text) is not None
    assert limiting_belief("Morning all. " * MAX_SENTENCES + text) is None


# --- the corpus (tests/data/beliefs.tsv) -------------------------------------------------------


def test_the_corpus_has_600_sentences_as_many_ordinary_as_beliefs_and_a_held_out_fifth():
    path = Path(__file__).resolve().parent.parent / "data" / "beliefs.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rows[0] == ["label", "split", "source", "text"]
    rows = rows[1:]
    assert all(len(row) == 4 and row[3].strip() for row in rows)
    texts = [row[3] for row in rows]
    assert len(texts) >= 600 and len(set(texts)) == len(texts)
    beliefs = [row for row in rows if row[0] == "belief"]
    others = [row for row in rows if row[0] == "other"]
    assert len(beliefs) + len(others) == len(rows) and len(others) >= len(beliefs) >= 300
    for part in (beliefs, others):
        held = sum(row[1] == "heldout" for row in part)
        assert abs(held - len(part) / 5) <= 1
    assert len({row[2] for row in beliefs}) >= 10  # many kinds of teams
    kinds = {row[2] for row in others}
    assert {"question", "quote", "code", "negated", "reported", "joke", "logistics"} <= kinds
