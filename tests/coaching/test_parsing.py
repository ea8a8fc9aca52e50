from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.parsing import (
    COMMIT_USAGE,
    MAX_NOTE,
    MAX_OUTCOME,
    AwayOff,
    CheckinOff,
    Declaration,
    Declare,
    DeclareBreakdown,
    Help,
    HolidaysOff,
    OpenModal,
    ParseError,
    Progress,
    SetAway,
    SetCheckin,
    SetHolidays,
    SkipWeek,
    StatusAll,
    StatusOne,
    Withdraw,
    check_away_date,
    check_skip_date,
    format_declaration,
    parse_commit_command,
    parse_commitment_number,
    parse_country,
    parse_declaration,
    parse_number,
    validate_declaration,
)

SPEC_EXAMPLE = "Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140"
TODAY = date(2026, 1, 15)


def raises(callable_, *args) -> ParseError:
    with pytest.raises(ParseError) as caught:
        callable_(*args)
    return caught.value


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("120", 120.0),
        ("1,200", 1200.0),
        ("1,234,567.25", 1234567.25),
        ("3.5", 3.5),
        (".5", 0.5),
        ("+5", 5.0),
        ("-2", -2.0),
        ("\u22122", -2.0),
        ("-3.5", -3.5),
        ("40%", 40.0),
        ("  7 ", 7.0),
    ],
)
def test_parse_number_reads_what_people_write(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,20", "1.2.3", "nan", "inf", "1e5", "--2", "5%%", "1 200", "١٢"])
def test_parse_number_rejects_anything_else(text):
    error = raises(parse_number, text)
    assert error.message


def test_parse_number_message_quotes_the_text():
    assert raises(parse_number, "abc").message == "I couldn't read `abc` as a number."


def test_parse_number_rejects_numbers_too_large_for_a_float():
    raises(parse_number, "9" * 400)


# ---------------------------------------------------------------- declarations


def test_spec_example():
    assert parse_declaration(SPEC_EXAMPLE) == Declaration(
        outcome="Weekly active teams",
        baseline=120.0,
        target=300.0,
        unit="teams",
        due=date(2027, 3, 31),
        known=140.0,
    )


@pytest.mark.parametrize("arrow", ["->", "→", "to", "TO", "To"])
def test_arrow_spellings(arrow):
    d = parse_declaration(f"Deals: 5 {arrow} 10 by 2027-01-01")
    assert (d.baseline, d.target) == (5.0, 10.0)


def test_whitespace_tolerant():
    d = parse_declaration("  Deals :5->10   deals  by   2027-01-01  KNOWN   7 ")
    assert d == Declaration("Deals", 5.0, 10.0, "deals", date(2027, 1, 1), 7.0)


def test_thousands_decimals_signs():
    d = parse_declaration("Latency: 1,200 -> -3.5 ms by 2027-01-01")
    assert (d.baseline, d.target, d.unit) == (1200.0, -3.5, "ms")


def test_percent_numbers_give_percent_unit():
    d = parse_declaration("Churn: 40% -> 20% by 2027-01-01")
    assert (d.baseline, d.target, d.unit) == (40.0, 20.0, "%")


def test_percent_with_explicit_unit_keeps_the_unit():
    assert parse_declaration("Share: 40% -> 60% points by 2027-01-01").unit == "points"


def test_percent_on_one_number_only_gives_no_unit():
    assert parse_declaration("Share: 40 -> 60% by 2027-01-01").unit is None


def test_unit_stuck_to_target():
    d = parse_declaration("Revenue: 5 -> 12k€ by 2027-01-01")
    assert (d.target, d.unit) == (12.0, "k€")


def test_multi_word_unit_and_unit_containing_by():
    assert parse_declaration("X: 1 -> 2 stand by units by 2027-01-01").unit == "stand by units"


def test_outcome_with_colon():
    d = parse_declaration("Ratio 3:1 deals: 5 -> 10 by 2027-01-01")
    assert d.outcome == "Ratio 3:1 deals"
    assert (d.baseline, d.target) == (5.0, 10.0)


def test_outcome_with_colon_after_which_rest_does_not_parse():
    d = parse_declaration("Q3: deals closed: 5 -> 10 by 2027-01-01")
    assert d.outcome == "Q3: deals closed"


def test_down_direction_and_no_unit_no_known():
    d = parse_declaration("Incidents: 12 -> 2 by 2026-12-31")
    assert d == Declaration("Incidents", 12.0, 2.0, None, date(2026, 12, 31), None)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Teams: abc -> 300 by 2027-03-31", "baseline"),
        ("Teams: 120 -> lots by 2027-03-31", "target"),
        ("Teams: 120 -> by 2027-03-31", "target"),
        ("Teams: 120 -> 300 by 2027-03-31 known many", "known"),
        ("Teams: 120 -> 300 by 2027-03-31 known", "known"),
        ("Teams: 120 -> 300 known 140 by 2027-03-31", "known"),
        ("Teams: 120 -> 300 by 31/03/2027", "due"),
        ("Teams: 120 -> 300 by 2027-02-30", "due"),
        ("Teams: 120 -> 300 by March 31", "due"),
        ("Teams: 120 -> 300 by", "due"),
        ("Teams: 120 -> 300", "due"),
        ("120 -> 300 by 2027-03-31", "outcome"),
    ],
)
def test_declaration_errors_name_their_field(text, field):
    assert raises(parse_declaration, text).field == field


def test_bad_date_says_how_to_write_it():
    assert "Use YYYY-MM-DD" in raises(parse_declaration, "T: 1 -> 2 by 2027/01/01").message


@pytest.mark.parametrize("text", ["", "hello", "notes: talk to bob", "a: b", ":::"])
def test_not_a_declaration(text):
    error = raises(parse_declaration, text)
    assert error.field is None
    assert error.message == "That doesn't look like a declaration."


def test_format_spec_example_reads_back():
    d = parse_declaration(SPEC_EXAMPLE)
    assert format_declaration(d) == "Weekly active teams: 120 → 300 teams by 2027-03-31 known 140"
    assert parse_declaration(format_declaration(d)) == d


def test_format_percent_and_tiny_and_huge_numbers():
    d = Declaration("Share", 1e300, 5e-324, "%", date(1, 1, 1), -0.25)
    assert parse_declaration(format_declaration(d)) == d


outcomes = (
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=MAX_OUTCOME)
    .map(str.strip)
    .filter(bool)
)
numbers = st.floats(allow_nan=False, allow_infinity=False)
units = st.one_of(
    st.none(),
    st.text("abcxyzKM€$%/ ", min_size=1, max_size=40).map(lambda u: " ".join(u.split())).filter(bool),
)
declarations = st.builds(
    Declaration,
    outcome=outcomes,
    baseline=numbers,
    target=numbers,
    unit=units,
    due=st.dates(),
    known=st.one_of(st.none(), numbers),
)


@given(declarations)
@settings(max_examples=300, deadline=None)
def test_canonical_declarations_round_trip(d):
    assert parse_declaration(format_declaration(d)) == d


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_parse_declaration_raises_only_parse_errors(text):
    try:
        parse_declaration(text)
    except ParseError as error:
        assert error.message
        assert error.field in {None, "outcome", "baseline", "target", "known", "due"}


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_parse_commit_command_raises_only_parse_errors(text):
    try:
        parse_commit_command(text)
    except ParseError as error:
        assert error.message


keywords = st.sampled_from(["help", "status", "progress", "breakdown", "withdraw", "checkin", "x"])


@given(keywords, st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_keyword_texts_raise_only_parse_errors(keyword, rest):
    try:
        parse_commit_command(f"{keyword} {rest}")
    except ParseError as error:
        assert error.message


# ---------------------------------------------------------------- validation


def valid(**changes) -> Declaration:
    d = Declaration("Weekly active teams", 120.0, 300.0, "teams", date(2027, 3, 31), 140.0)
    return Declaration(**{**d.__dict__, **changes})


def fields(problems: list[ParseError]) -> list[str | None]:
    return [p.field for p in problems]


def test_valid_declaration_has_no_problems():
    assert validate_declaration(valid(), TODAY) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "   "}, "outcome"),
        ({"outcome": "x" * (MAX_OUTCOME + 1)}, "outcome"),
        ({"target": 120.0}, "target"),
        ({"due": TODAY}, "due"),
        ({"due": date(2025, 1, 1)}, "due"),
        ({"unit": "u" * 41}, "unit"),
    ],
)
def test_each_problem_names_its_field(changes, field):
    assert fields(validate_declaration(valid(**changes), TODAY)) == [field]


def test_boundaries_are_fine():
    d = valid(outcome="x" * MAX_OUTCOME, unit="u" * 40, due=date(2026, 1, 16))
    assert validate_declaration(d, TODAY) == []


def test_every_problem_is_reported():
    d = valid(outcome="", target=120.0, due=TODAY, unit="u" * 41)
    assert sorted(fields(validate_declaration(d, TODAY))) == ["due", "outcome", "target", "unit"]


# ---------------------------------------------------------------- /commit


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", OpenModal()),
        ("   ", OpenModal()),
        ("help", Help()),
        ("HELP", Help()),
        ("status", StatusAll()),
        ("status #12", StatusOne(12)),
        ("Status 12", StatusOne(12)),
        ("progress #3 145", Progress(3, 145.0, None)),
        ("progress 3 1,200 two new teams", Progress(3, 1200.0, "two new teams")),
        ("progress #3 -2.5 line one\nline two", Progress(3, -2.5, "line one\nline two")),
        ("breakdown #3 the launch slipped", DeclareBreakdown(3, "the launch slipped")),
        ("withdraw #4 merged into #5", Withdraw(4, "merged into #5")),
        ("checkin monday 09:00", SetCheckin(0, time(9, 0), None)),
        ("checkin Fri 9:30 Europe/Paris", SetCheckin(4, time(9, 30), "Europe/Paris")),
        ("checkin SUNDAY 23:59 europe/paris", SetCheckin(6, time(23, 59), "Europe/Paris")),
        ("checkin wed 0:00 UTC", SetCheckin(2, time(0, 0), "UTC")),
        ("checkin off", CheckinOff()),
        ("CHECKIN OFF", CheckinOff()),
        (SPEC_EXAMPLE, Declare(parse_declaration(SPEC_EXAMPLE))),
    ],
)
def test_commit_subcommands(text, command):
    assert parse_commit_command(text) == command


def test_declaration_starting_with_a_keyword_is_a_declaration():
    command = parse_commit_command("Status calls per week: 5 -> 2 by 2027-01-01")
    assert command == Declare(Declaration("Status calls per week", 5.0, 2.0, None, date(2027, 1, 1), None))
    assert isinstance(parse_commit_command("Help desk tickets: 50 -> 10 by 2027-01-01"), Declare)


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [
        ("help me", None, "/commit help"),
        ("status #x", "number", "/commit status"),
        ("status #1 #2", None, "/commit status"),
        ("progress", None, "/commit progress #N"),
        ("progress #3", None, "/commit progress #N"),
        ("progress three 5", "number", "/commit progress #N"),
        ("progress #3 lots", "value", "/commit progress #N"),
        ("progress #3 5 " + "n" * (MAX_NOTE + 1), "note", "1000"),
        ("breakdown #3", "note", "/commit breakdown #N"),
        ("breakdown #3 " + "w" * (MAX_NOTE + 1), "note", "1000"),
        ("breakdown", None, "/commit breakdown #N"),
        ("withdraw #3", "note", "/commit withdraw #N"),
        ("withdraw x because", "number", "/commit withdraw #N"),
        ("checkin", None, "/commit checkin"),
        ("checkin someday 09:00", "weekday", "monday"),
        ("checkin mon 24:00", "time", "09:00"),
        ("checkin mon 9am", "time", "09:00"),
        ("checkin mon 09:00 Mars/Olympus", "timezone", "Europe/Paris"),
        ("checkin mon 09:00 ../etc/passwd", "timezone", "Europe/Paris"),
        ("checkin mon 09:00 UTC extra", None, "/commit checkin"),
    ],
)
def test_malformed_subcommands_say_how_to_use_them(text, field, hint):
    error = raises(parse_commit_command, text)
    assert error.field == field
    assert hint in error.message


def test_note_at_limit_is_fine():
    assert parse_commit_command("progress #3 5 " + "n" * MAX_NOTE).note == "n" * MAX_NOTE


def test_unknown_timezone_is_named():
    assert "`Mars/Olympus`" in raises(parse_commit_command, "checkin mon 09:00 Mars/Olympus").message


def test_anything_else_names_the_first_word():
    assert raises(parse_commit_command, "hello there").message == "I didn't understand `hello`."
    assert raises(parse_commit_command, "  foo").field is None


def test_declaration_error_passes_through():
    error = raises(parse_commit_command, "Teams: 120 -> 300 by 2027-02-30")
    assert (error.field, "Use YYYY-MM-DD" in error.message) == ("due", True)


def test_keyword_declaration_error_passes_through():
    assert raises(parse_commit_command, "Status calls: 5 -> x by 2027-01-01").field == "target"


@pytest.mark.parametrize(("text", "number"), [("#12", 12), ("12", 12), (" #7 ", 7), ("#007", 7)])
def test_parse_commitment_number(text, number):
    assert parse_commitment_number(text) == number


@pytest.mark.parametrize("text", ["", "#", "#0", "x", "#1.5", "-3", "# 3x", "1" * 40])
def test_parse_commitment_number_rejects(text):
    assert raises(parse_commitment_number, text).field == "number"


def test_usage_lists_every_form_with_an_example():
    for form in [
        "`/commit`",
        "Weekly active teams",
        "`/commit help`",
        "`/commit status`",
        "`/commit status #3`",
        "`/commit progress #3 ",
        "`/commit breakdown #3 ",
        "`/commit withdraw #3 ",
        "`/commit checkin monday 09:00 Europe/Paris`",
        "`/commit checkin off`",
        "`/commit checkin holidays DE`",
        "`/commit checkin holidays off`",
        "`/commit checkin skip 2026-12-28`",
        "`/commit away 2027-01-04`",
        "`/commit away off`",
    ]:
        assert form in COMMIT_USAGE
    assert not set("<&") & set(COMMIT_USAGE)


def test_every_usage_example_parses():
    examples = [part.split("e.g. `/commit ")[1].split("`")[0] for part in COMMIT_USAGE.splitlines() if "e.g." in part]
    assert len(examples) == 11
    for example in examples:
        parse_commit_command(example)


# ---------------------------------------------------------------- holidays, skips, time away


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("checkin holidays US", SetHolidays("US")),
        ("checkin holidays de", SetHolidays("DE")),
        ("CHECKIN Holidays In", SetHolidays("IN")),
        ("checkin holidays off", HolidaysOff()),
        ("checkin holidays OFF", HolidaysOff()),
        ("checkin skip 2026-12-28", SkipWeek(date(2026, 12, 28))),
        ("away 2027-01-04", SetAway(date(2027, 1, 4))),
        ("  away   off ", AwayOff()),
        ("checkin off", CheckinOff()),
        ("checkin fri 16:30", SetCheckin(4, time(16, 30), None)),
    ],
)
def test_holidays_skip_and_away_commands(text, command):
    assert parse_commit_command(text) == command


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [
        ("checkin holidays XX", "country", "`/commit checkin holidays ‹country code›`"),
        ("checkin holidays USA", "country", "`/commit checkin holidays ‹country code›`"),
        ("checkin holidays 12", "country", "`/commit checkin holidays ‹country code›`"),
        ("checkin holidays", None, "`/commit checkin holidays ‹country code›`"),
        ("checkin holidays US DE", None, "`/commit checkin holidays ‹country code›`"),
        ("checkin skip", None, "`/commit checkin skip YYYY-MM-DD`"),
        ("checkin skip tomorrow", "date", "`/commit checkin skip YYYY-MM-DD`"),
        ("checkin skip 2026-02-30", "date", "`/commit checkin skip YYYY-MM-DD`"),
        ("checkin skip 2026-12-28 2027-01-04", None, "`/commit checkin skip YYYY-MM-DD`"),
        ("away", None, "`/commit away YYYY-MM-DD`"),
        ("away next week", None, "`/commit away YYYY-MM-DD`"),
        ("away 04/01/2027", "date", "`/commit away YYYY-MM-DD`"),
        ("away 2027-13-01", "date", "`/commit away YYYY-MM-DD`"),
    ],
)
def test_bad_holidays_skip_and_away_say_how_to_use_them(text, field, hint):
    error = raises(parse_commit_command, text)
    assert error.field == field
    assert hint in error.message


def test_an_unknown_country_code_is_named():
    error = raises(parse_commit_command, "checkin holidays ZQ")
    assert "`ZQ`" in error.message
    assert "ISO 3166-1" in error.message


def test_country_codes_are_the_holidays_packages():
    import holidays

    for code in ("US", "DE", "IN", "FR", "JP", "BR"):
        assert parse_country(code.lower()) == code
        assert code in holidays.list_supported_countries()


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))
def test_a_country_is_accepted_exactly_when_the_holidays_package_knows_it(code):
    import holidays

    known = code in holidays.list_supported_countries()
    try:
        assert parse_country(code) == code and known
    except ParseError as error:
        assert not known and error.field == "country"


def test_skipping_this_week_or_later_is_fine_and_a_past_week_is_not():
    wednesday = date(2026, 12, 2)  # ISO week 2026-W49, Monday 2026-11-30
    check_skip_date(date(2026, 11, 30), wednesday)  # Monday of this week: still this week
    check_skip_date(date(2026, 12, 6), wednesday)
    check_skip_date(date(2027, 1, 4), wednesday)
    error = raises(check_skip_date, date(2026, 11, 29), wednesday)  # Sunday of last week
    assert error.field == "date" and "`/commit checkin skip YYYY-MM-DD`" in error.message
    # across a year boundary: 2027-01-01 is in ISO week 2026-W53
    check_skip_date(date(2026, 12, 28), date(2027, 1, 1))
    raises(check_skip_date, date(2026, 12, 27), date(2027, 1, 3))


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_a_skip_is_refused_exactly_for_past_iso_weeks(day, today):
    monday = today - timedelta(days=today.weekday())
    try:
        check_skip_date(day, today)
        assert day >= monday
    except ParseError:
        assert day < monday


def test_away_from_today_on_is_fine_and_before_today_is_not():
    today = date(2026, 12, 2)
    check_away_date(today, today)
    check_away_date(date(2027, 1, 4), today)
    error = raises(check_away_date, date(2026, 12, 1), today)
    assert error.field == "date" and "`/commit away YYYY-MM-DD`" in error.message
