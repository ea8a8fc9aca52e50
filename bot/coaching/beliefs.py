"""Does a message voice a limiting belief? A conservative phrase model (pure: no Slack, no DB).

A background conversation is an unspoken belief that limits what seems possible ("nothing
ships here in under six months"). When a channel opts in (`/background watch on`), the app reads
its new messages and, when one voices such a belief, suggests to its author alone that they
surface it. A wrong suggestion costs trust (people feel watched and judged); a missed one costs
nothing, since anyone can still surface a belief by hand. So the model says yes only on clear
phrases, and no whenever in doubt.

How a text is read (`limiting_belief`):

1. Only what the person says in their own voice counts: code (```blocks``` and `inline`),
   quoted lines (`> …`), text inside double quotes (“…”, "…", «…»), links and URLs are set aside.
2. The rest is split into sentences (at `.`, `!`, `?`, `;` and new lines). A question is never
   a belief: a sentence ending in `?`, or opening like one ("can't we…", "why…", "what if…",
   "is it…"), is skipped, even after an opener like "honestly," or "so".
3. A sentence voices a limiting belief when one of `PATTERNS` matches in it, unless:
   - the phrase is negated right before it ("not impossible", "nothing is impossible",
     "far from unrealistic", "do the impossible"),
   - it is disputed or reported earlier in the sentence ("it's not true that we can't…",
     "who says that never works here", "I don't believe…", "we used to think…"),
   - it sits in a condition ("if we can't…", "unless…", "even if…", "what if…"),
   - it is an idiom about something else: urgency, thanks or surprise ("we can't wait",
     "we can't thank you enough", "you'll never guess"), resolve ("we will never give up",
     "never again"), or a technical problem ("we can't log in", "impossible to reproduce",
     "not possible with the current API").

The patterns (each with an example that triggers it, see `PATTERNS`): "we can't / cannot / can
never…", "… will never / won't ever …", "that never works", "that won't work here", "that won't
fly", "not realistic / possible / feasible / doable / achievable", "unrealistic", "impossible",
"can't be done", "no way we / this / that…", "nothing ships here", "we've always done it this
way", "that's how things are here", "that's not how we do things here".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.belief_patterns import CHALLENGED_AFTER, LOGISTICS, PATTERNS, PLAN, Pattern

__all__ = ["PATTERNS", "Pattern", "Belief", "limiting_belief", "voices_limiting_belief", "own_voice"]

# Only the start of very long messages is read: beliefs are said in a sentence, not an essay.
MAX_READ = 4000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`?")
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.MULTILINE)
_DOUBLE_QUOTED = re.compile(
    r"\"[^\"\n]*\"?|\u201c[^\u201d\n]*\u201d?|\u00ab[^\u00bb\n]*\u00bb?|\u201e[^\u201c\u201d\n]*[\u201c\u201d]?"
)
_SINGLE_CURLY_QUOTED = re.compile(r"\u2018[^\u2019\n]*\u2019")
_SLACK_MARKUP = re.compile(r"<[^<>\n]*>")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")

# A sentence opening like a question, after an optional opener ("honestly, can't we…").
_OPENER = (
    r"(?:(?:honestly|seriously|frankly|so|but|and|well|ok|okay|hmm+|um+|uh+|look|guys|folks|team|"
    r"hey|yeah|yes|no|i mean|come on|like|then|also|really|wait)\b[\s,:-]*)*"
)
_QUESTION_START = re.compile(
    _OPENER + r"(?:why|how|what|who|when|where|which|whether|can|can't|cant|cannot|could|couldn't|would|"
    r"wouldn't|will|won't|wont|is|isn't|are|aren't|was|wasn't|do|don't|does|doesn't|did|didn't|"
    r"should|shouldn't|shall|may|might|must|have|haven't|has|hasn't|am)\b",
    re.IGNORECASE,
)

# Right before the phrase (its last two words): the phrase is negated.
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:not|never|nothing|nothing's|hardly|barely|scarcely|no|nor|far from|"
    r"anything but|no longer|hardly ever|isn't|aren't|wasn't|weren't|ain't|it's not|that's not|"
    r"is not|are not|was not)\s+(?:\w+\s+)?)$",
    re.IGNORECASE,
)
# Anywhere earlier in the sentence: the phrase is disputed, reported, or a condition.
_DISPUTED_BEFORE = re.compile(
    r"\b(?:not true|isn't true|is not true|untrue|false that|wrong that|who says|who said|"
    r"don't think|do not think|don't believe|do not believe|doesn't mean|does not mean|"
    r"didn't mean|no reason|myth|used to (?:think|believe|say)|stop (?:saying|thinking|believing)|"
    r"nobody said|no one said|nobody says|no one says|"
    r"instead of|rather than|never said|disprove|prove (?:them|everyone|people|it) wrong|"
    r"proved (?:them|everyone|people|it) wrong|not that|pretend|joke|kidding|"
    r"if|unless|whether|in case|suppose|supposing|assuming|imagine|what if|even though we thought|"
    r"they said|people say|everyone says|some say|he said|she said|they think|they say|"
    r"told us|told me|heard that|hearing|\w+ thinks|someone said|somebody said|the old belief|assumption|"
    r"the idea that|this idea|some say|keep saying|keeps saying|challenge|debunk|prove that wrong)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Belief:
    """What was found: the phrase that matched, and the sentence it was said in."""

    phrase: str
    sentence: str
    pattern: str


def own_voice(text: str) -> str:
    """The text without code, quotes, quoted lines, Slack markup and URLs (replaced by breaks)."""
    text = text[:MAX_READ]
    text = _CODE_BLOCK.sub("\n", text)
    text = _INLINE_CODE.sub(" \n ", text)
    text = _QUOTED_LINE.sub("\n", text)
    text = _DOUBLE_QUOTED.sub(" \n ", text)
    text = _SINGLE_CURLY_QUOTED.sub(" \n ", text)
    text = text.translate(_APOSTROPHES)
    text = _SLACK_MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    return text


_WORDY = re.compile(r"[^\W\d_]{2}")
# A belief is said in one of the first sentences of a message, not the 500th.
MAX_SENTENCES = 40


def sentences(text: str) -> list[str]:
    """The first `MAX_SENTENCES` sentences with a word in them (a row of `<!` is none)."""
    found: list[str] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0).strip()
        if _WORDY.search(sentence):
            found.append(sentence)
            if len(found) == MAX_SENTENCES:
                break
    return found


_CANT_NOT = re.compile(r"\b(?:can'?t|cannot|can not)\s+not\b", re.IGNORECASE)
_AGAIN = re.compile(r"\bagain\b", re.IGNORECASE)
# A belief is said in a sentence, not an essay: only the start of a very long one is read.
MAX_SENTENCE = 400

_DECLARATIVE_FRAGMENT = re.compile(r"(?:can'?t|cannot)\s+be\s+done\b", re.IGNORECASE)


def is_question(sentence: str) -> bool:
    """Ends in `?`, or opens like a question ("can't we…", "why…"); "Can't be done." is not one."""
    if sentence.rstrip().endswith("?"):
        return True
    start = sentence.lstrip(" ,-*_~")
    return _QUESTION_START.match(start) is not None and _DECLARATIVE_FRAGMENT.match(start) is None


def _belief_in(sentence: str) -> Belief | None:
    sentence = sentence[:MAX_SENTENCE]
    if is_question(sentence):
        return None
    if _CANT_NOT.search(sentence):
        return None  # "we can't not do this": a must, not a limit
    if PLAN.search(sentence):
        return None  # it goes on to a plan: constructive, not resigned
    plain = None  # whether a weak pattern may count here: no logistics (read lazily)
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(sentence):
            before = sentence[: match.start()]
            # disputed or conditional before the phrase, or in the words that open it ("if we…")
            if _NEGATED_BEFORE.search(before[-40:]) or _DISPUTED_BEFORE.search(sentence, 0, match.end()):
                continue
            if pattern.name == "will never" and _AGAIN.search(sentence, match.end()):
                continue
            if CHALLENGED_AFTER.search(sentence, match.end()):
                continue
            if not pattern.strong:
                if plain is None:
                    plain = LOGISTICS.search(sentence) is None
                if not plain:
                    break
            return Belief(phrase=match.group(0).strip(), sentence=sentence.strip(" ,-*_~"), pattern=pattern.name)
    return None


def limiting_belief(text: str | None) -> Belief | None:
    """The first sentence of `text` (plain text, as the person wrote it) that voices a limiting
    belief, or None. Conservative: when in doubt, None."""
    if not text:
        return None
    for sentence in sentences(own_voice(text)):
        found = _belief_in(sentence)
        if found is not None:
            return found
    return None


def voices_limiting_belief(text: str | None) -> bool:
    return limiting_belief(text) is not None
