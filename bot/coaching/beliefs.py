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

# Only the start of very long messages is read: beliefs are said in a sentence, not an essay.
MAX_READ = 4000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`?")
_QUOTED_LINE = re.compile(r"^\s*(?:>|&gt;).*$", re.MULTILINE)
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
    r"(?:\b(?:not|never|nothing|nothing's|hardly|barely|scarcely|no|nor|without|far from|"
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
    r"told us|told me|heard that)\b",
    re.IGNORECASE,
)

_CANT = r"(?:can'?t|cannot|can not|can never|can no longer|could never)"
_AFTER_CANT_IDIOM = (
    r"(?:wait|believe|thank|stop|forget|let|miss|ignore|afford|lose|risk|allow|skip|leave|keep|"
    r"overstate|overemphasi[sz]e|emphasi[sz]e|stress|help|complain|tell|say|reproduce|repro|log|"
    r"login|access|connect|find|see|hear|read|open|load|join|attend|come|make it|agree|decide|"
    r"rule|go wrong|fail|accept|not|have both|take (?:credit|that risk)|"
    r"be (?:late|wrong|sure|certain|bothered|happier|prouder|more|too|seen|everywhere)|"
    # scheduling: "we can't do Friday", "we can't meet tomorrow" (but "on Fridays" is a habit)
    r"(?:[a-z]+\s+){0,2}(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|"
    r"tomorrow|this (?:morning|afternoon|evening)|that (?:day|time|slot)))\b"
)
_WILL_NEVER = (
    r"(?:will never|'ll never|would never|'d never|won'?t ever|will not ever|wouldn'?t ever|"
    r"(?:are|'re|is|'s) never going to|(?:are|'re|is|'s) not ever going to)"
)
_AFTER_WILL_NEVER_IDIOM = (
    r"(?:forget|guess|believe|give up|give in|stop|let|quit|settle|surrender|back down|leave|"
    r"abandon|compromise|understand|know|regret|walk alone|sell (?:your|our|user|customer)|"
    r"share (?:your|our|user|customer)|again|be forgotten|tire|get tired|lie|cheat)\b"
)
_AFTER_IMPOSSIBLE_IDIOM = (
    r"(?:to (?:reproduce|repro|tell|say|know|see|find|read|overstate|ignore|miss|resist|put down|"
    r"forget|predict|imagine|beat|dislike|hate|not))\b"
)
_HERE = (
    r"(?:here|around here|at this (?:company|place|org|organi[sz]ation)|"
    r"in this (?:company|team|place|org|organi[sz]ation|industry))"
)
_SUBJECT = r"(?:we|they|it|this|that|customers|clients|users|people|management|leadership|legal|finance|nobody|no one|the board|[a-z]+)"


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern
    example: str  # a sentence this pattern alone finds (the tests check each)


def _p(name: str, regex: str, example: str) -> Pattern:
    return Pattern(name, re.compile(regex, re.IGNORECASE), example)


PATTERNS: tuple[Pattern, ...] = (
    _p(
        "we can't",
        r"\bwe\s+(?:(?:just|simply|really|still|honestly|realistically|probably|clearly)\s+)?"
        + _CANT
        + r"\s+(?:(?:possibly|ever|really|actually|realistically)\s+)?+(?!"
        + _AFTER_CANT_IDIOM
        + r")[a-z]+",
        "We can't ship a new product in one quarter.",
    ),
    _p(
        "will never",
        r"\b" + _SUBJECT + r"\s*" + _WILL_NEVER + r"\s+(?!" + _AFTER_WILL_NEVER_IDIOM + r")[a-z]+",
        "Customers will never pay for that.",
    ),
    _p(
        "that never works",
        r"\bthat(?:'ll|'d| will| would)?\s+never\s+(?:works?|flies|fly|happens?|sells?|scales?|lands?)\b",
        "That never works here.",
    ),
    _p(
        "won't work here",
        r"\b(?:that|it|this)\s+(?:won'?t|wouldn'?t|will not|would not|never|doesn'?t ever|does not ever)\s+"
        r"(?:ever\s+)?(?:works?|fly|flies|happens?)\s+" + _HERE + r"\b",
        "It won't work in this company.",
    ),
    _p(
        "won't fly",
        r"\bthat\s+(?:won'?t|wouldn'?t|will not|would not)\s+(?:ever\s+)?fly\b",
        "That won't fly with the board.",
    ),
    _p(
        "not realistic",
        r"\bnot\s+(?:(?:really|very|exactly|at all|even|remotely|just)\s+)?"
        r"(?:realistic|possible|feasible|doable|achievable|attainable)\b(?!\s+(?:with|via|through|using|to (?:reproduce|repro|tell|say|know|see|find))\b)",
        "Doubling revenue this year is not realistic.",
    ),
    _p(
        "unrealistic",
        r"\b(?:unrealistic|unachievable|infeasible|undoable)\b",
        "That target is unrealistic.",
    ),
    _p(
        "impossible",
        r"(?<!the )(?<!mission )\bimpossible\b(?!\s+is nothing)(?!\s+" + _AFTER_IMPOSSIBLE_IDIOM + r")",
        "Shipping weekly is impossible here.",
    ),
    _p(
        "can't be done",
        r"\b(?:can'?t|cannot|can not|can never|could never)\s+be\s+done\b",
        "A launch in March can't be done.",
    ),
    _p(
        "no way we",
        r"\bno\s+way\s+(?!to\b|around\b|out\b|that'?s true|this is true|it'?s true)"
        r"(?:we|we'll|we're|this|that|it|it'll|they|anyone|anybody|our|the)\b",
        "There's no way we hit that number.",
    ),
    _p(
        "nothing ships here",
        r"\bnothing\s+(?:ever\s+)?(?:ships|changes|gets done|moves|happens|launches|gets shipped)\s+" + _HERE + r"\b",
        "Nothing ships here in under six months.",
    ),
    _p(
        "always done it this way",
        r"\b(?:we've|we have|we)\s+always\s+done\s+(?:it|things)\s+(?:this|that|the same)\s+way\b",
        "We've always done it this way.",
    ),
    _p(
        "how things are here",
        r"\b(?:that's|that is|it's|it is)\s+(?:just\s+)?(?:how|the way)\s+"
        r"(?:it is|it's|it goes|things are|things work|things go|we do (?:it|things))\s+" + _HERE + r"\b",
        "That's just how things are around here.",
    ),
    _p(
        "not how we do things here",
        r"\bnot\s+how\s+(?:we do (?:it|things)|things work|it works|things go)\s+" + _HERE + r"\b",
        "That's not how we do things here.",
    ),
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


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


_DECLARATIVE_FRAGMENT = re.compile(r"(?:can'?t|cannot)\s+be\s+done\b", re.IGNORECASE)


def is_question(sentence: str) -> bool:
    """Ends in `?`, or opens like a question ("can't we…", "why…"); "Can't be done." is not one."""
    if sentence.rstrip().endswith("?"):
        return True
    start = sentence.lstrip(" ,-*_~")
    return _QUESTION_START.match(start) is not None and _DECLARATIVE_FRAGMENT.match(start) is None


def _belief_in(sentence: str) -> Belief | None:
    if is_question(sentence):
        return None
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(sentence):
            before = sentence[: match.start()]
            if _NEGATED_BEFORE.search(before) or _DISPUTED_BEFORE.search(before):
                continue
            if pattern.name == "will never" and re.search(r"\bagain\b", sentence[match.end() :], re.IGNORECASE):
                continue
            if re.search(r"\b(?:can'?t|cannot|can not)\s+not\b", sentence, re.IGNORECASE):
                continue  # "we can't not do this": a must, not a limit
            return Belief(phrase=match.group(0), sentence=sentence.strip(" ,-*_~"), pattern=pattern.name)
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
