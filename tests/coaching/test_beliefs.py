"""The limiting-belief phrase model: clear phrases found, questions, negations, quotes, code,
conditions and idioms left alone (a wrong suggestion is worse than a missed one)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.beliefs import PATTERNS, Belief, limiting_belief, own_voice, voices_limiting_belief

BELIEFS = [
    "We can't ship a new product in one quarter.",
    "we can't hire that fast",
    "Honestly, we can't compete with them on price.",
    "We cannot grow 3x in a year, the market is too small.",
    "we could never ship that fast",
    "That never works here.",
    "that'll never work",
    "It won't work in this company.",
    "That won't fly with the board.",
    "Doubling revenue this year is not realistic.",
    "nah, not realistic",
    "that's not possible",
    "This deadline is not feasible.",
    "That target is unrealistic.",
    "Shipping weekly is impossible here.",
    "Impossible here.",
    "A launch in March can't be done.",
    "Can't be done.",
    "Customers will never pay for that.",
    "Legal will never approve it.",
    "we will never get budget for that",
    "I'll never get this finished in time",
    "There's no way we hit that number.",
    "No way we ship by March.",
    "lol no way this ships in Q1",
    "Nothing ships here in under six months.",
    "We've always done it this way.",
    "That's just how things are around here.",
    "That's not how we do things here.",
]

NOT_BELIEFS = [
    # questions, with or without a question mark
    "can't we ship it sooner?",
    "Can't we just try it",
    "Why can't we ship weekly",
    "Honestly, can't we just ask them",
    "is it not possible to add a column?",
    "Who says we can't?",
    "Is that impossible?",
    # negated or disputed
    "it's not impossible",
    "Nothing is impossible.",
    "far from impossible",
    "it is not unrealistic",
    "I don't think it's impossible",
    "It's not true that we can't ship weekly.",
    "Who says that never works here",
    "nobody said it was impossible",
    "we used to think we can't ship weekly",
    "We did the impossible!",
    "Impossible is nothing",
    "we can't not do this",
    "no way that's true",
    # quoted, code
    "`we can't`",
    "```\nwe can't ship that\n```",
    "> we can't do it",
    'she said "we can\'t ship" yesterday',
    "the error says \u201cnot possible\u201d",
    # conditions
    "If we can't ship by Friday we tell the client.",
    "Unless it's impossible, let's try.",
    "even if that never works here, we try",
    # idioms about something else
    "we can't wait to ship!",
    "We can\u2019t wait!",
    "We really can't wait",
    "We can't thank you enough",
    "you'll never guess what happened",
    "we will never give up",
    "we'll never make that mistake again",
    "we can't log in to the VPN",
    "we can't see the dashboard",
    "we can't make it to the standup",
    "Thanks! We can't do Friday, sorry",
    "the bug is impossible to reproduce",
    "It's impossible to overstate this",
    "That's not possible with the current API.",
    "no way!",
    "There's no way to export CSV",
    "there's no way around it",
    # facts of the calendar, rules and plans (issue #15)
    "We can no longer ship on Fridays.",
    "We can't deploy during the freeze, so Monday it is.",
    "The build always takes ten minutes.",
    "We can't ship until legal signs off.",
    # plain talk, links
    "hello team, shipping today",
    "We can make it",
    "we can",
    "https://example.com/impossible",
    "www.impossible.example",
    "",
]


@pytest.mark.parametrize("text", BELIEFS)
def test_clear_limiting_beliefs_are_found(text):
    found = limiting_belief(text)
    assert isinstance(found, Belief), text
    assert found.phrase.lower() in found.sentence.lower()


@pytest.mark.parametrize("text", NOT_BELIEFS)
def test_questions_negations_quotes_code_conditions_and_idioms_are_left_alone(text):
    assert limiting_belief(text) is None


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_every_pattern_finds_its_own_example(pattern):
    found = limiting_belief(pattern.example)
    assert found is not None and found.pattern == pattern.name


def test_the_sentence_that_said_it_is_returned():
    found = limiting_belief("Great demo today! Sadly, nothing ships here in under six months. See you tomorrow.")
    assert found.sentence == "Sadly, nothing ships here in under six months."
    assert found.pattern == "nothing ships here"


def test_slack_markup_and_urls_are_not_read():
    assert (
        own_voice("see <https://x.example/impossible|impossible> and https://y.example/impossible").count("impossible")
        == 0
    )
    assert voices_limiting_belief("<@U123> we can't ship that") is True


def test_a_huge_message_is_read_quickly_and_only_its_start():
    assert limiting_belief("fine. " * 5000 + "we can't ship that") is None
    assert limiting_belief("we can't ship that. " + "fine. " * 5000) is not None


# --- properties ------------------------------------------------------------------------------------

NEUTRAL = [
    "The demo went well.",
    "Thanks for the review!",
    "Lunch is at noon.",
    "I pushed the fix.",
    "Standup moved to ten.",
    "Great work everyone.",
    "Here are the slides",
    "Numbers look good this week",
    "Let's pair on it later.",
    "ok",
    "Merged.",
    "Who has the notes?",
]
NEUTRAL_WORDS = (
    "the team shipped a new report today and we can review it tomorrow with customers "
    "great fix thanks ok sure plan data next week slides numbers good meeting later lunch"
).split()

belief = st.sampled_from(BELIEFS)
neutral = st.lists(st.sampled_from(NEUTRAL), max_size=3).map(" ".join)


def _as_question(text: str) -> str:
    return text.rstrip(".!") + "?"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_sentence_from_it_or_nothing(text):
    found = limiting_belief(text)
    if found is not None:
        assert found.phrase.lower() in found.sentence.lower()


@settings(max_examples=150, deadline=None)
@given(belief, neutral, neutral)
def test_a_belief_is_found_among_neutral_sentences(text, before, after):
    assert limiting_belief(f"{before}\n{text}\n{after}") is not None


@settings(max_examples=150, deadline=None)
@given(belief, neutral, neutral)
def test_a_belief_asked_as_a_question_is_not_a_belief(text, before, after):
    assert limiting_belief(f"{before}\n{_as_question(text)}\n{after}") is None


@settings(max_examples=150, deadline=None)
@given(belief, st.sampled_from(["`{}`", "```\n{}\n```", "> {}", '"{}"', "\u201c{}\u201d", "they said \u201c{}\u201d"]))
def test_a_belief_in_code_or_quotes_is_not_the_persons_own(text, wrapper):
    assert limiting_belief(wrapper.format(text)) is None


@settings(max_examples=150, deadline=None)
@given(
    belief,
    st.sampled_from(["It's not true that ", "Who says ", "I don't believe ", "If ", "Unless ", "We used to think "]),
)
def test_a_disputed_or_conditional_belief_is_not_a_belief(text, prefix):
    assert limiting_belief(prefix + text[0].lower() + text[1:]) is None


@settings(max_examples=150, deadline=None)
@given(belief)
def test_case_and_curly_apostrophes_do_not_matter(text):
    assert limiting_belief(text.upper()) is not None
    assert limiting_belief(text.replace("'", "\u2019")) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NEUTRAL_WORDS), min_size=1, max_size=25), st.sampled_from([".", "!", "", "\n"]))
def test_everyday_talk_is_not_a_belief(words, end):
    assert limiting_belief(" ".join(words) + end) is None
