"""Covenant Supporters: the record of one supporter, its reporting status, grouping and counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from portal_core.strings import N_
from pydantic import EmailStr, Field, HttpUrl, NonNegativeInt, field_validator, model_validator

from .record_fields import (
    Country,
    Day,
    LanguageCode,
    Line,
    LocalizedText,
    Record,
    Slug,
    TranslatedRecord,
    once_each,
)

#: The commitments ask for a report at least every two years.
REPORTING_PERIOD_YEARS = 2
#: More signatories than one supporter can plausibly support (the whole Covenant of Mayors
#: has fewer): a larger number is a typing mistake.
MAX_SIGNATORIES = 20_000


class SupporterType(StrEnum):
    """Kinds of organisation that can be Covenant Supporters."""

    EUROPEAN_NETWORK = "european-network"
    NATIONAL_ASSOCIATION = "national-association"
    REGIONAL_ASSOCIATION = "regional-association"
    ENERGY_AGENCY = "energy-agency"
    OTHER = "other"


class Status(StrEnum):
    """Whether a supporter takes part, or the Office has suspended it."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


#: Interface labels (translated through gettext where shown).
TYPE_LABELS = {
    SupporterType.EUROPEAN_NETWORK: N_("European network"),
    SupporterType.NATIONAL_ASSOCIATION: N_("National association"),
    SupporterType.REGIONAL_ASSOCIATION: N_("Regional association"),
    SupporterType.ENERGY_AGENCY: N_("Energy agency"),
    SupporterType.OTHER: N_("Other organisation"),
}
STATUS_LABELS = {
    Status.ACTIVE: N_("Active"),
    Status.SUSPENDED: N_("Suspended"),
}


class Contact(Record):
    """The supporter's contact person."""

    name: Line
    position: Line
    email: EmailStr


class Head(Record):
    """The head of the organisation."""

    title: Line
    name: Line


class Supporter(TranslatedRecord):
    """One Covenant Supporter, from content/data/supporters/<id>.yaml."""

    TRANSLATED = ("description",)

    id: Slug
    name: Line
    type: SupporterType
    country: Country
    city: Line | None = None
    website: HttpUrl
    contact: Contact
    head: Head
    joined: Day
    status: Status
    last_report: Day | None = None
    signatories: NonNegativeInt = Field(strict=True)
    working_languages: list[LanguageCode] = Field(min_length=1)
    description: LocalizedText

    @field_validator("signatories")
    @classmethod
    def _plausible_count(cls, value: int) -> int:
        if value > MAX_SIGNATORIES:
            raise ValueError(
                f"{value:,} is more than one supporter can support (at most "
                f"{MAX_SIGNATORIES:,}; the whole Covenant of Mayors has fewer); check the number"
            )
        return value

    @field_validator("working_languages")
    @classmethod
    def _each_language_once(cls, value: list[str]) -> list[str]:
        return once_each(value)

    @model_validator(mode="after")
    def _report_after_joining(self) -> Supporter:
        if self.last_report is not None and self.last_report < self.joined:
            raise ValueError(f"last_report ({self.last_report}) is before joined ({self.joined})")
        return self

    def page_languages(self, order: Iterable[str]) -> list[str]:
        """Return every language of `order`: a profile's facts and labels are in the reader's
        language whatever its description is written in (then marked as English)."""
        return list(order)

    @property
    def active(self) -> bool:
        """Tell whether the supporter takes part (is not suspended)."""
        return self.status == Status.ACTIVE

    @property
    def type_label(self) -> str:
        """Return the English label of the supporter's type (a gettext msgid)."""
        return TYPE_LABELS[self.type]

    @property
    def status_label(self) -> str:
        """Return the English label of the supporter's status (a gettext msgid)."""
        return STATUS_LABELS[self.status]

    @property
    def website_url(self) -> str:
        """Return the website address as text."""
        return str(self.website)


def add_years(day: date, years: int) -> date:
    """Return the same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def report_due(supporter: Supporter) -> date:
    """Return the date by which the next activity report is due."""
    reference = supporter.last_report or supporter.joined
    return add_years(reference, REPORTING_PERIOD_YEARS)


def is_report_overdue(supporter: Supporter, today: date) -> bool:
    """Tell whether an active supporter's last report is more than two years old.

    A supporter that never reported counts from its joining date. Suspended supporters are
    shown as suspended, not as overdue.
    """
    return supporter.active and report_due(supporter) < today


def count_active(supporters: Iterable[Supporter]) -> int:
    """Return how many supporters are active (suspended ones are not counted)."""
    return sum(1 for supporter in supporters if supporter.active)


def group_by(supporters: Iterable[Supporter], attribute: str) -> dict[str, list[Supporter]]:
    """Group supporters by the value of `attribute` (country, type or status)."""
    groups: dict[str, list[Supporter]] = {}
    for supporter in supporters:
        groups.setdefault(str(getattr(supporter, attribute)), []).append(supporter)
    return groups


def newest_first(supporters: Iterable[Supporter]) -> list[Supporter]:
    """Return supporters by joining date, newest first (ties by id, for stable output)."""
    return sorted(supporters, key=lambda s: (-s.joined.toordinal(), s.id))
