"""The figure definitions of SPEC §4, checked on hand-made youths."""

from shared.figures import COUNTED, FACTS, FIGURE_KEYS, figures_delta, with_derived, youth_figures


def facts(**counts: int) -> tuple[int, ...]:
    return tuple(counts.get(name, 0) for name in FACTS)


def contribution(**counts: int) -> dict[str, int]:
    return dict(zip(COUNTED, youth_figures(facts(**counts)), strict=True))


def test_figure_keys_are_those_of_the_spec() -> None:
    assert FIGURE_KEYS == (
        "youths_first_reception", "youths_in_contact", "youths_received", "youths_interviewed",
        "interviews", "youths_with_access", "access_rate", "youths_employment",
        "youths_subsidized_or_work_study", "youths_training", "civis_entries", "civis_exits",
        "civis_exits_durable_employment", "civis_exits_non_durable_employment",
        "civis_exits_training", "civis_exits_other",
    )  # fmt: skip


def test_a_youth_with_no_event_counts_nowhere() -> None:
    assert not any(youth_figures(facts()))


def test_interviews_count_events_and_interviewed_counts_youths() -> None:
    c = contribution(interview=3)
    assert c["interviews"] == 3
    assert c["youths_interviewed"] == 1
    assert c["youths_received"] == 1
    assert c["youths_in_contact"] == 1


def test_workshop_alone_is_received_not_interviewed() -> None:
    c = contribution(workshop=1)
    assert (c["youths_received"], c["youths_interviewed"]) == (1, 0)


def test_access_needs_an_interview_in_the_same_cell() -> None:
    assert contribution(outcome_employment=1)["youths_with_access"] == 0
    assert contribution(outcome_employment=1)["youths_employment"] == 0
    c = contribution(interview=1, outcome_employment=2, outcome_training=1)
    assert (c["youths_with_access"], c["youths_employment"], c["youths_training"]) == (1, 1, 1)


def test_subsidized_or_work_study_is_one_figure() -> None:
    c = contribution(interview=1, outcome_subsidized_employment=1, outcome_work_study=1)
    assert c["youths_subsidized_or_work_study"] == 1


def test_civis_exits_by_reason() -> None:
    c = contribution(civis_exit_durable_employment=1, civis_exit_other=1, civis_entry=1)
    assert (c["civis_exits"], c["civis_exits_durable_employment"], c["civis_exits_other"]) == (
        1,
        1,
        1,
    )
    assert c["civis_entries"] == 1


def test_delta_counts_a_youth_on_zero_to_one_only() -> None:
    move = dict(zip(COUNTED, figures_delta(facts(interview=1), facts(interview=2)), strict=True))
    assert move["youths_interviewed"] == 0 and move["interviews"] == 1
    move = dict(zip(COUNTED, figures_delta(facts(interview=1), facts()), strict=True))
    assert move["youths_interviewed"] == -1 and move["youths_in_contact"] == -1


def test_access_rate_is_zero_when_undefined() -> None:
    assert with_derived({})["access_rate"] == 0.0
    assert with_derived({"youths_with_access": 1, "youths_interviewed": 4})["access_rate"] == 0.25
