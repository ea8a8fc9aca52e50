import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.ambition import Ambition, Band, ambition

RANK = {Band.MANAGEMENT: 0, Band.STRETCH: 1, Band.BREAKTHROUGH: 2}


def test_spec_example_is_a_breakthrough():
    # 120 -> 300 with 140 known: 180 / 20 = 9 times the known improvement
    assert ambition(120, 300, 140) == Ambition(9.0, Band.BREAKTHROUGH)


@pytest.mark.parametrize(
    ("target", "band"),
    [
        (114.9, Band.MANAGEMENT),
        (115, Band.STRETCH),  # ratio exactly 1.5
        (129.9, Band.STRETCH),
        (130, Band.BREAKTHROUGH),  # ratio exactly 3
        (105, Band.MANAGEMENT),
    ],
)
def test_bands_going_up(target, band):
    assert ambition(100, target, 110).band is band


@pytest.mark.parametrize(
    ("target", "band", "ratio"),
    [
        (85, Band.STRETCH, 1.5),
        (70, Band.BREAKTHROUGH, 3.0),
        (95, Band.MANAGEMENT, 0.5),
        (71, Band.STRETCH, 2.9),
    ],
)
def test_bands_going_down(target, band, ratio):
    result = ambition(100, target, 90)
    assert result.band is band
    assert result.ratio == pytest.approx(ratio)


def test_float_noise_at_the_boundary_counts_as_the_boundary():
    assert ambition(0.1, 0.4, 0.2).band is Band.BREAKTHROUGH
    assert ambition(0.7, 0.1, 0.5).band is Band.BREAKTHROUGH


@pytest.mark.parametrize(
    ("baseline", "target", "known"), [(100, 200, 100), (100, 200, 90), (100, 50, 100), (100, 50, 120)]
)
def test_known_no_better_than_baseline_is_a_breakthrough_without_ratio(baseline, target, known):
    assert ambition(baseline, target, known) == Ambition(None, Band.BREAKTHROUGH)


def test_no_known_asks_for_it():
    assert ambition(100, 200, None) == Ambition(None, None)


def test_known_beyond_target_is_management():
    result = ambition(100, 150, 200)
    assert (result.ratio, result.band) == (0.5, Band.MANAGEMENT)


amounts = st.integers(-(10**6), 10**6).map(float) | st.floats(-1e6, 1e6)


@given(amounts, st.floats(1e-3, 1e6), st.floats(1e-3, 1e6), st.floats(1e-3, 1e6), st.sampled_from([1, -1]))
@settings(max_examples=500, deadline=None)
def test_band_is_monotone_in_the_target(baseline, known_gain, gain, extra, direction):
    known = baseline + direction * known_gain
    bolder = ambition(baseline, baseline + direction * (gain + extra), known)
    milder = ambition(baseline, baseline + direction * gain, known)
    assert RANK[bolder.band] >= RANK[milder.band]


@given(amounts, amounts, amounts)
@settings(max_examples=300, deadline=None)
def test_a_band_whenever_known_is_given(baseline, target, known):
    assert ambition(baseline, target, known).band is not None
