"""A structure's contact address: one mailbox name@domain.tld, each refusal saying why."""

from __future__ import annotations

import pytest

from shared.mail.addresses import AddressError, check_address


@pytest.mark.parametrize(
    "address",
    [
        "contact@ml-paris.fr",
        "direction.ml+icare@missions-locales.example.org",
        "o'brien@ml-11-001.missions-locales.example",
        f"{'a' * 64}@example.org",
    ],
)
def test_addresses_of_the_internet_are_taken(address: str) -> None:
    assert check_address(address) == address


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("contact", "not an address"),
        ("contact@", "not an address"),
        ("@ml-paris.fr", "not an address"),
        ("root@localhost", "has no dot"),
        ("Direction <contact@ml-paris.fr>", "not an address"),
        ("contact@ml paris.fr", "not an address"),
        ("contact@-ml.fr", "not an address"),
        ("contact@ml.fr\nBcc: everyone@example.org", "not an address"),
        ("contact@mission-locale-é.fr", "not an address"),
        ("a,b@ml.fr", "not an address"),
        (f"{'a' * 65}@example.org", "at most 64"),
        (f"a@{'b' * 250}.fr", "at most 254"),
    ],
)
def test_anything_else_is_refused_saying_why(address: str, why: str) -> None:
    with pytest.raises(AddressError) as refused:
        check_address(address)
    assert why in str(refused.value)
    assert "\n" not in str(refused.value)
