"""The phrases of limiting beliefs (pure): what bot/coaching/beliefs.py looks for in a sentence.

Each `Pattern` is a family of phrasings with an example that it alone finds (the tests check
each). A *strong* pattern is a belief wherever it is said in the person's own voice ("that's
just the way it is", "there's no point…", "X is a fantasy"). A *weak* one ("volunteers never
stay", "we can't hire…", "nobody reads…") is also how people state facts and logistics, so it
counts only in a sentence with no sign of a fact of the calendar, a rule or a plan
(`LOGISTICS`, `PLAN`): "we can't deploy during the freeze, so Monday it is" is not a belief.

Every pattern is matched within one sentence of at most a few hundred characters, and none can
backtrack more than a few words: each costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern
    example: str  # a sentence this pattern alone finds (the tests check each)
    strong: bool = False


def _p(name: str, regex: str, example: str, strong: bool = False) -> Pattern:
    return Pattern(name, re.compile(regex, re.IGNORECASE), example, strong)


# --- vocabulary -------------------------------------------------------------------------------

_ADV = r"(?:(?:just|simply|really|still|honestly|realistically|probably|clearly|basically|ever|here|anymore|all)\s+)"
_CANT = r"(?:can'?t|cannot|can not|can never|can no longer|could never)"
_AFTER_CANT_IDIOM = (
    r"(?:wait|believe|thank|stop|forget|let|miss|ignore|afford|lose|risk|allow|skip|leave|keep|"
    r"overstate|overemphasi[sz]e|emphasi[sz]e|stress|help|complain|tell|say|reproduce|repro|log|"
    r"login|access|connect|find|see|hear|read|open|load|join|attend|come|make it|agree|decide|"
    r"rule|go wrong|fail|accept|not|have both|take (?:credit|that risk)|get over|even|make (?:this|that|it) (?:stuff )?up|"
    r"have too|have enough|please everyone|"
    r"be (?:late|wrong|sure|certain|bothered|happier|prouder|more|too|seen|everywhere)|"
    r"(?:[a-z]+\s+){0,2}(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|"
    r"tomorrow|this (?:morning|afternoon|evening)|that (?:day|time|slot)))\b"
)
_WILL_NEVER = (
    r"(?:will never|'ll never|would never|'d never|won'?t ever|will not ever|wouldn'?t ever|"
    r"(?:are|'re|is|'s) never going to|(?:are|'re|is|'s) not ever going to)"
)
_AFTER_NEVER_IDIOM = (
    r"(?:forget|guess|believe|give up|give in|stop|let|quit|settle|surrender|back down|leave|"
    r"abandon|compromise|understand|know|regret|walk alone|sell (?:your|our|user|customer)|"
    r"share (?:your|our|user|customer)|again|be forgotten|tire|get tired|lie|cheat|"
    r"disappoints?|fails?|mind|say never|seen|been|had|thought|got|expected|felt|financially)\b"
    r"(?<!give up(?=\s+(?:their|control|the|his|her|its)\b))"
)
_HERE = (
    r"(?:here|around here|at this (?:company|place|org|organi[sz]ation|school|hospital|trust)|"
    r"in this (?:company|team|place|org|organi[sz]ation|industry|sector|hospital|school|trust|department|town))"
)
_SUBJECT = (
    r"(?:we|they|it|this|that|customers|clients|users|people|management|leadership|legal|finance|"
    r"nobody|no one|the board|[a-z]+)"
)
# Who a generalisation is about: a group, never one person ("he never replied" is news).
_GROUP = (
    r"(?:customers|clients|users|buyers|people|donors|volunteers|parents|patients|doctors|nurses|"
    r"teachers|students|pupils|kids|children|boys|girls|managers|staff|engineers|developers|teams|"
    r"investors|regulators|partners|partnerships|funders|trustees|drivers|operators|shoppers|"
    r"citizens|residents|politicians|consultants|gps|juniors|reps|agencies|vendors|suppliers|"
    r"auditors|candidates|beneficiaries|servants|folks|employees|executives|founders|buyers|"
    r"retailers|players|companies|charities|startups|clinics|schools|councils|governments|"
    r"lawyers|partners|audiences?|markets?|leads|events|reviews|reorganisations|reorgs|"
    r"meetings|emails|newsletters|surveys|pilots|projects|initiatives|ideas|changes|redesigns|"
    r"experiments|tools|processes|"
    r"legal|compliance|procurement|finance|security|design|sales|marketing|ops|operations|"
    r"leadership|management|headquarters|hq|head office|the board|the ministry|the council|"
    r"government|the union|the agency|the trust|the school|the founders|the partners|"
    r"(?:that|the other|this) (?:team|office|department|site|plant|ward)|they)"
)
_DETERMINER = r"(?:(?:our|the|these|those|most|all|some|big|small|older|young|local|corporate|senior|junior|new|regional|frontline|public)\s+)*"
_GENERIC = (
    r"\b"
    + _DETERMINER
    + r"(?:[a-z-]+\s+)?"
    + _GROUP
    + r"(?:\s+(?:here|in \w+(?: \w+)?|at \w+|on the \w+|from \w+ \w+|like ours|who \w+))?"
)
# Who a sentence opens with, when it is a thing or a team ("the data team never has time").
_OPENING_SUBJECT = r"^(?:(?:the|our|their|most|all)\s+)?(?:[a-z-]+\s+){0,2}?"
_NEGATIVE_NEVER = r"(?:never|don'?t|do not|won'?t|will not|rarely|aren'?t|are not|just don'?t|never really)"
_BAD_HABIT = (
    r"(?:kills?|says? no|block|blocks|overrides?|overrule[sd]?|ignores?|breaks?|miss(?:es)?|slips?|drops?|"
    r"gets? cut|gets? (?:their|its|his|her) way|finds? a reason|marks? us down|gets? overruled|ends? in chaos|"
    r"terrible|wrong|behind|the last|fails?|loses?|decides? and|takes? forever|goes? over budget|"
    r"wants? something new|picks?|comes? first)"
)

# --- patterns ---------------------------------------------------------------------------------

PATTERNS: tuple[Pattern, ...] = (
    # the phrases of the first model
    _p(
        "we can't",
        r"\b(?:we|you|they)\s+"
        + _ADV
        + r"?"
        + _CANT
        + r"\s+(?:(?:possibly|ever|really|actually|realistically)\s+)?+(?!"
        + _AFTER_CANT_IDIOM
        + r")[a-z]+",
        "We can't ship a new product in one quarter.",
    ),
    _p(
        "will never",
        r"\b" + _SUBJECT + r"\s*" + _WILL_NEVER + r"\s+" + _ADV + r"?(?!" + _AFTER_NEVER_IDIOM + r")[a-z]+",
        "Customers will never pay for that.",
    ),
    _p(
        "that never works",
        r"\bthat(?:'ll|'d| will| would)?\s+never\s+(?:works?|flies|fly|happens?|sells?|scales?|lands?)\b",
        "That never works here.",
        strong=True,
    ),
    _p(
        "won't work here",
        r"\b(?:that|it|this)\s+(?:won'?t|wouldn'?t|will not|would not|never|doesn'?t ever|does not ever)\s+"
        r"(?:ever\s+)?(?:works?|fly|flies|happens?)\s+" + _HERE + r"\b",
        "It won't work in this company.",
        strong=True,
    ),
    _p(
        "won't fly",
        r"\bthat\s+(?:won'?t|wouldn'?t|will not|would not)\s+(?:ever\s+)?fly\b",
        "That won't fly with the board.",
        strong=True,
    ),
    _p(
        "not realistic",
        r"\bnot\s+(?:(?:really|very|exactly|at all|even|remotely|just)\s+)?"
        r"(?:realistic|possible|feasible|doable|achievable|attainable)\b"
        r"(?!\s+(?:with|via|through|using|to (?:reproduce|repro|tell|say|know|see|find|generate|attend))\b)",
        "Doubling revenue this year is not realistic.",
    ),
    _p(
        "unrealistic",
        r"\b(?:unrealistic|unachievable|infeasible|undoable)\b",
        "That target is unrealistic.",
    ),
    _p(
        "impossible",
        r"(?<!the )(?<!mission )\bimpossible\b(?!\s+is nothing)(?!\s+(?:timing|for me|to (?:reproduce|repro|tell|say|"
        r"know|see|find|read|overstate|ignore|miss|resist|put down|forget|predict|imagine|beat|dislike|hate|not)\b))",
        "Shipping weekly is impossible here.",
    ),
    _p(
        "can't be done",
        r"\b(?:can'?t|cannot|can not|can never|could never)\s+be\s+done\b",
        "A launch in March can't be done.",
        strong=True,
    ),
    _p(
        "no way we",
        r"\bno\s+way\s+(?!to\b|around\b|out\b|i'?m\b|that'?s true|this is true|it'?s true)"
        r"(?:we|we'll|we're|this|that|it|it'll|they|anyone|anybody|our|the)\b",
        "There's no way we hit that number.",
        strong=True,
    ),
    _p(
        "nothing ships here",
        r"\bnothing\s+(?:ever\s+)?(?:ships|changes|gets done|moves|happens|launches|gets shipped|works)\s+"
        r"(?:"
        + _HERE
        + r"|in \w+|unless|without|on it)\b|\bnothing (?:we|on it) \w+ (?:ever )?(?:gets|happens|changes)\b",
        "Nothing ships here in under six months.",
        strong=True,
    ),
    _p(
        "always done it this way",
        r"\b(?:we've|we have|we)\s+always\s+done\s+(?:it|things)\s+(?:this|that|the same)\s+way\b",
        "We've always done it this way.",
    ),
    _p(
        "not how we do things here",
        r"\bnot\s+how\s+(?:we do (?:it|things)|things work|it works|things go)\s+" + _HERE + r"\b",
        "That's not how we do things here.",
        strong=True,
    ),
    # the way things are: fixed, fated, out of our hands
    _p(
        "the way it is",
        r"\b(?:that's|that is|it's|it is|this is)\s+(?:just\s+|simply\s+)?(?:the way it is|how it is|"
        r"how it's always been|the way it's always been|the culture|the nature of|just part of|part of the job|"
        r"the way (?:[\w-]+\s+){1,3}(?:works?|is|are)\b|how things (?:are|work|go)\b|"
        r"a fact of life|how (?:the|big|law|this|our)\b[\w\s]{0,30}?\b(?:works?|are|is)\b)",
        "That's just the way it is.",
        strong=True,
    ),
    _p(
        "it is what it is",
        r"\bit is what it is\b(?!\s*:)|\bthat's that\b|\bhere to stay\b|\bjust a fact of life\b|\bis just part of\b",
        "It is what it is, we just live with it.",
        strong=True,
    ),
    _p(
        "out of our hands",
        r"\b(?:nothing (?:we|anyone) (?:can|could) do|out of our (?:hands|control)|beyond (?:our|what (?:a|we|one))\b|"
        r"our hands are tied|nothing we do (?:will|changes|matters)|there'?s nothing (?:we|to be) (?:can )?(?:do|done))",
        "Reducing returns is out of our hands.",
        strong=True,
    ),
    # futility
    _p(
        "no point",
        r"\b(?:there'?s|there is|it'?s|it is)\s+no\s+(?:point|use)\b|\bpointless\b|\bwhy bother\b|\bwaste of time\b|"
        r"\blost cause\b|\bhopeless\b|\bdoomed\b|\bno chance\b|\bnot worth (?:even )?(?:starting|trying|it)\b",
        "There's no point calling them again.",
        strong=True,
    ),
    _p(
        "a fantasy",
        r"(?<!football )(?<!fantasy )\b(?:is|are|'s|'re|would be|sounds like)\s+(?:just\s+|a\s+|an\s+)?"
        r"(?:fantasy|pipe ?dream|fairy ?tale|wish list|write-off|luxury|non-starter|unheard of|dead|dying)\b",
        "The Q4 number is a fantasy.",
        strong=True,
    ),
    _p(
        "not going to happen",
        r"\b(?:is|are|'s|'re)\s+(?:just\s+)?(?:not|never)\s+going\s+to\s+happen\b",
        "Hitting quota this year is just not going to happen.",
        strong=True,
    ),
    # who we are not
    _p(
        "not the kind of",
        r"\b(?:we'?re|we are|we aren'?t|i'?m|they'?re|this is)\s+(?:just\s+)?not\s+(?:the\s+|that\s+)?(?:kind|sort|type)\s+of\b"
        r"(?![\w\s]{0,40}\b(?:leaves?|gives? up|cuts? corners|blames?)\b)"
        r"|\b(?:not something|nothing) (?:a|an) \w+ like (?:ours|us)\b|\bpeople like us\b|\bcompan(?:y|ies) (?:like ours|our size)\b"
        r"|\bwe'?re not an? \w+ (?:company|team|school|charity|shop|organi[sz]ation)\b",
        "We're not the kind of company that wins public tenders.",
        strong=True,
    ),
    _p(
        "we don't have the talent",
        r"\bwe\s+(?:just\s+|simply\s+)?(?:don'?t|do not|will never|never)\s+have\s+(?:the|enough)\s+"
        r"(?!numbers\b|data\b|figures\b|results\b|room\b|key\b)(?:\w+\s+)?(?:talent|staff|people|budget|money|time|skills?|network|leadership|"
        r"resources?|headcount|capacity|experience|clout|expertise)\b(?![\w\s,]{0,20}\b(?:yet|today|this week)\b)",
        "We don't have the talent to build our own platform.",
        strong=True,
    ),
    _p(
        "too x to",
        r"\b(?:are|is|'re|'s|were|am)\s+(?:just\s+|simply\s+|far\s+|way\s+|much\s+)?too\s+"
        r"(?!(?:cold|hot|good|warm|wet|big|full|loud|close|bad)\b|(?:early|late|far|long)\s+for\b)[a-z-]+(?:\s+[a-z-]+){0,2}?\s+(?:to|for)\b",
        "Our customers are too conservative to try anything new.",
        strong=False,
    ),
    _p(
        "not good enough",
        r"\b(?:we'?re|we are|they'?re|they are|our \w+ (?:are|is))\s+(?:just\s+)?not\s+(?:good|senior|smart|big|strong|creative|capable)\b"
        r"|\bjust not (?:a|good|creative|academic)\b|\bjust aren'?t\b|\bdon'?t have what it takes\b|\bnot capable of\b",
        "We're just not good at selling to developers.",
        strong=True,
    ),
    # generalisations about a group
    _p(
        "they never do",
        _GENERIC + r"\s+" + _ADV + r"?" + _NEGATIVE_NEVER + r"\s+" + _ADV + r"?(?!" + _AFTER_NEVER_IDIOM + r")[a-z]+",
        "Volunteers never stay longer than a few months.",
    ),
    _p(
        "they can't",
        _GENERIC + r"\s+" + _ADV + r"?" + _CANT + r"\s+" + _ADV + r"?(?!" + _AFTER_CANT_IDIOM + r")[a-z]+",
        "Juniors can't be trusted with on-call.",
    ),
    _p(
        "the team never has",
        _OPENING_SUBJECT + r"never\s+(?!" + _AFTER_NEVER_IDIOM + r")[a-z]+s\b",
        "The data team never has time for us.",
    ),
    _p(
        "will always be behind",
        r"\b(?:will|'ll|is going to|are going to)\s+always\s+be\s+(?:[\w-]+\s+){0,3}?(?:ahead|behind|last|late|"
        r"understaffed|underfunded|flaky|the underdog|a cost cent(?:re|er)|chaos|broken|slow|hard|difficult|terrible|"
        r"wrong|a problem|short|overworked|stretched|treated as)\b",
        "We'll always be the underdog in this market.",
    ),
    _p(
        "they only care",
        _GENERIC + r"\s+(?:just\s+|really\s+)?only\s+(?:ever\s+)?(?:care|cares|want|wants|give|gives|back|backs|listen|"
        r"listens|buy|buys|trust|trusts|work|works|leave|leaves|respond|responds|think|thinks|read|reads|see value|go|goes)\b",
        "Customers only care about price.",
    ),
    _p(
        "they always do",
        r"\b(?:they|it|he|she)\s+(?:always|never)\s+(?:do|does|will|did|has|have)[\s.!]*$|\balways\s+(?:will|has|have) been\b"
        r"|\b(?:always|every (?:time|year))\s+(?:just\s+)?" + _BAD_HABIT + r"\b",
        "Procurement always kills deals like this.",
    ),
    _p(
        "nobody cares",
        r"\b(?:nobody|no one|no-one)\s+(?:(?:here|in|at|on|from|outside|who)\b[\w\s]{0,30}?\s+)?(?:(?:ever|really|actually|even)\s+)?"
        r"(?:cares|wants|reads|buys|listens|answers|opens|uses|trusts|gets|takes|comes|escalates|will|would|has the|"
        r"believes|bothers|does|pays|knows|responds)\b",
        "Nobody cares about our cause.",
        strong=True,
    ),
    _p(
        "doesn't work for us",
        r"\b(?:doesn'?t|does not|don'?t|do not|won'?t|will not|never|can'?t|cannot)\s+(?:really\s+|ever\s+)?"
        r"(?:work|works|convert|converts|scale|scales|survive|survives|take off|takes off|apply)\b"
        r"(?:\s+(?:for|in|with|at)\s+(?:us|our|a \w+ like ours|(?:\w+\s+){1,2}like ours|this|companies|people)\b|\s+in practice\b|[\s.!]*$)",
        "Continuous delivery doesn't work for a product like ours.",
        strong=True,
    ),
)

# A sentence with these is about the calendar, a rule, or numbers: a weak pattern doesn't count.
LOGISTICS = re.compile(
    r"\b(?:yet|until|till|tonight|today|tomorrow|this (?:week|morning|afternoon|evening)|right now|at the moment|"
    r"during|before (?:the|we|it|they|\d)|after (?:the|\d|midnight)|on (?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|"
    r"saturdays?|sundays?|weekends?|bank holidays?)|weekends|in (?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)|by law|by design|by contract|policy|regulation|the contract|"
    r"the license|the licence|under the|terms|safeguarding|unless|so (?:monday|tuesday|wednesday|thursday|friday)|"
    r"without (?:a|an) (?:deposit|signature|badge|prescription|approval|sign-off|quote|login)|"
    r"\d+(?::\d\d|\s*(?:am|pm|mb|gb|kb|hours?|mins?|minutes?|items?|seats?|connections?|degrees?|tonnes?|days?|"
    r"weeks?|th|st|nd|rd))|\d+:\d\d)\b",
    re.IGNORECASE,
)
# A sentence that goes on to a plan is constructive, not resigned.
PLAN = re.compile(
    r"\b(?:let'?s|i'?ll(?! never| ever)|i will(?! never| ever)|we'?ll (?:try|plan|do|start|update|send)|can we|so we)\b|\?"
    r"|(?:,|\bso)\s+(?:use|convert|check|compress|export|grab|ping|add|ask|call|send|try|keep|book)\b",
    re.IGNORECASE,
)
# Said in order to challenge it: "…, I want to challenge that", "…, but our retention is up".
CHALLENGED_AFTER = re.compile(
    r"\b(?:challenge|test (?:that|it|this)|prove (?:that|it|them|him|her) wrong|but (?:our|the|we|actually|look)|"
    r"worth testing|turns out|and then we|and we just)\b",
    re.IGNORECASE,
)
