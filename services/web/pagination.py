"""Long lists of a page cut into pages: which rows a page shows, and the links of the DSFR
pagination (templates/_pagination.html), each keeping the page's other parameters (its
filters) in the URL, so that a page of a filtered list is still a link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import url_for

from services.http.errors import ApiError
from services.web.parameters import integer_or_none, optional

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination:
    """A page of ``total`` rows, ``size`` a page; ``number`` from 1 to ``pages``."""

    number: int
    size: int
    total: int
    endpoint: str
    arguments: Mapping[str, Any]

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def first_row(self) -> int:
        """The first row shown, counted from 1 (0 when there is none)."""
        return min((self.number - 1) * self.size + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.total)

    def rows(self, items: Sequence[T]) -> Sequence[T]:
        return items[(self.number - 1) * self.size : self.number * self.size]

    def href(self, number: int) -> str:
        """The URL of page ``number``, with the other parameters (page 1 has no ``page``)."""
        arguments = {k: v for k, v in self.arguments.items() if v not in (None, "")}
        if number > 1:
            arguments["page"] = number
        return url_for(self.endpoint, **arguments)

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last and two on each side of the current
        one; None where some are left out (an ellipsis)."""
        shown = {1, self.pages, *range(self.number - 2, self.number + 3)}
        kept = sorted(n for n in shown if 1 <= n <= self.pages)
        numbers: list[int | None] = []
        for n in kept:
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def paginate(total: int, size: int, endpoint: str, arguments: Mapping[str, Any]) -> Pagination:
    """The page the ``page`` parameter asks for (1 when absent), or a French 404 when there
    is no such page."""
    pages = max((total + size - 1) // size, 1)
    text = optional("page")
    number = 1 if text is None else integer_or_none(text, 1, pages)
    if number is None:
        many = "une page" if pages == 1 else f"{pages} pages"
        message = f"Cette page de la liste n'existe pas : elle en a {many}."
        raise ApiError(404, "no_such_page", message)
    return Pagination(number, size, total, endpoint, arguments)
