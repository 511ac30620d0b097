"""What a contact address must look like: one mailbox ``local@domain.tld``, no display name.

The syntax is the HTML form's (WHATWG "valid e-mail address"), which every browser checks
the same way, restricted to what a structure's contact can be: ASCII, at most 254
characters (RFC 5321's path), 64 before the ``@``, and a domain with a dot (an address on
the Internet, not ``root@localhost``).
"""

from __future__ import annotations

import re

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64
_LOCAL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_PATTERN = rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})+$"
_ADDRESS = re.compile(ADDRESS_PATTERN)


class AddressError(ValueError):
    """An address that cannot be a contact's; the message says why, in English."""


def check_address(address: str) -> str:
    """``address`` if it is one mailbox as above, else an ``AddressError`` saying what is wrong."""
    if len(address) > MAX_LENGTH:
        raise AddressError(f"an address has at most {MAX_LENGTH} characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"{address!r} is not an address: expected name@domain.tld")
    if len(local) > MAX_LOCAL_LENGTH:
        raise AddressError(f"at most {MAX_LOCAL_LENGTH} characters before the @")
    if "." not in domain:
        raise AddressError(f"the domain {domain!r} has no dot: expected name@domain.tld")
    if not _ADDRESS.fullmatch(address):
        raise AddressError(
            f"{address!r} is not an address: letters, digits and .!#$%&'*+/=?^_`{{|}}~- "
            "before the @, a domain of letters, digits and hyphens after it"
        )
    return address
