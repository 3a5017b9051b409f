"""What Klaster derives from the stored data after a bulk change, in the one order that works.

First the inferences (:func:`kg.reason.materialise`: containment, linkage shortcuts, types, search
keys), then the unit-count aggregates (:func:`kg.aggregates.rebuild`), which read the inferred
containment, then the shared-item counts of the partner questions (:func:`kg.sharing.rebuild`),
which read the inferred types. ``klaster init`` (:func:`kg.seed.seed`), ``klaster load`` and the
benchmark's load step all call :func:`recompute`, so they cannot drift apart. A submission keeps
all three current incrementally instead (:mod:`kg.submissions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg import sharing
from kg.aggregates import AggregatesSummary, rebuild
from kg.reason import ReasoningSummary, materialise
from kg.settings import Settings
from kg.store import Store


@dataclass(frozen=True)
class DerivedSummary:
    reasoning: ReasoningSummary
    aggregates: AggregatesSummary
    sharing: sharing.SharingSummary

    @property
    def seconds(self) -> float:
        return self.reasoning.seconds + self.aggregates.seconds + self.sharing.seconds


def _quiet(text: str) -> None:
    """Progress messages are dropped unless the caller passes ``say``."""


def recompute(store: Store, settings: Settings, *, say: Callable[[str], None] = _quiet) -> DerivedSummary:
    """Recompute the inferences, then the aggregates and shared-item counts, of the whole store."""
    say("computing inferences")
    reasoning = materialise(store, settings)
    say("computing the unit-count aggregates")
    aggregates = rebuild(store, settings.base_iri)
    say("counting the sentra that share each item")
    shared = sharing.rebuild(store, settings.base_iri)
    return DerivedSummary(reasoning, aggregates, shared)
