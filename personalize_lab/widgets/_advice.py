"""What the panel says in its own words before and after a request: which input to fill, which value
matches nothing, and how an error maps to a control on the left.

The client's errors are written for code ("Fix: add {'CATEGORY': ...} to filterValues"); a person using
the panel needs the control instead ("pick at least one CATEGORY value under Filter, on the left"). The
checks here run on the panel's inputs, so the panel can say it before anything is sent — and says nothing
before the user could act (a promotion just ticked waits for its filter with a note, not an error).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from personalize_lab.errors import ValidationError
from personalize_lab.widgets._html import STYLE, error_box, esc
from personalize_lab.widgets._inputs import FilterPicker, PromotionEditor

SHOWN_VALUES = 8  # known values listed next to an unknown one


@dataclass
class Advice:
    """``blocking``: inputs the request needs (nothing is sent); ``warnings`` and ``notes`` ride along."""

    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        if not (self.blocking or self.warnings or self.notes):
            return ""
        parts = [f'<div class="pl-error" role="alert">{esc(m)}</div>' for m in self.blocking]
        parts += [f'<div class="pl-warning" role="status">{esc(m)}</div>' for m in self.warnings]
        parts += [f'<div class="pl-note">{esc(m)}</div>' for m in self.notes]
        return STYLE + '<div class="pl-root">' + "".join(parts) + "</div>"


def check(filter_picker: FilterPicker, promotion: PromotionEditor) -> Advice:
    """The request filter and the promotion, checked as the panel shows them."""
    advice = Advice()
    _check_picker(filter_picker, "Filter", advice)
    if promotion.enabled.value:
        if not promotion.filter.name:
            advice.notes.append(
                "Pick the promotion's filter under Promotion, on the left: a promotion needs one to choose "
                "its items. Until then the list is shown without the promotion."
            )
        else:
            _check_picker(promotion.filter, "Promotion", advice)
    return advice


def _check_picker(picker: FilterPicker, where: str, advice: Advice) -> None:
    if not picker.name:
        return
    inputs = picker.placeholders
    for name in inputs.missing():
        what = "at least one" if inputs.kinds[name] in ("multi", "list") else "a"
        p = inputs.placeholders[name]
        advice.blocking.append(
            f"Pick {what} {name} value under {where}, on the left: the {picker.name} filter's INCLUDE clause "
            f"({p.dataset}.{p.field}) needs it before the request can be sent."
        )
    for name, misses in inputs.unknown().items():
        p = inputs.placeholders[name]
        known = sorted(picker.catalog.known(p.dataset, p.field) or ())
        sample = ", ".join(known[:SHOWN_VALUES]) + (", …" if len(known) > SHOWN_VALUES else "")
        advice.warnings.append(
            f"{', '.join(repr(m) for m in misses)} matches no {p.dataset}.{p.field} value in the catalog "
            f"(known values: {sample}), so ${name} under {where} selects nothing. Check the spelling."
        )


# where each request field is set in the panels, for errors the client raises
_CONTROLS = {
    "userId": "the User box at the top left",
    "itemId": "the Item box on the left",
    "inputList": "the inputList box on the left",
    "numResults": "numResults on the left",
    "metadataColumns": "the Metadata list on the left",
    "context": "the Context rows on the left",
    "filterValues": "the inputs under Filter, on the left",
    "promotions": "the Promotion section on the left",
}


def explain(error: BaseException) -> str:
    """An error as the panel shows it: what went wrong, and which control on the left to change."""
    text = None
    if isinstance(error, ValidationError) and error.field:
        control = next((c for f, c in _CONTROLS.items() if error.field.startswith(f)), None)
        if control is not None:  # the code-level fix ("add {...} to filterValues") becomes the control
            text = f"{str(error).split('. Fix:')[0]}. Change {control}."
    return STYLE + f'<div class="pl-root">{error_box(error, text)}</div>'
