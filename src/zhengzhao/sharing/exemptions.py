"""How much of what a matter asks for the platform supplies: the plan's own measure.

The Xinjiang plan (新政办发〔2022〕59号) sets the target that by the end of 2023, 40% of
the main license materials and license information that matters of persons and legal
persons need are acquired by the application systems instead of being submitted by
the applicant. Two shares measure it, each a count of what is supplied over a count
of what is asked:

- the **material share**: required materials supplied ÷ required materials (optional
  materials are not asked of anyone, so they count in neither);
- the **field share**: form fields supplied ÷ form fields (typed fields included:
  they are what an applicant still fills in).

Each is computed on two bases:

- **by design**, from the scenario list: a required material is supplied when the
  catalog publishes its type, a field when it has a source whose type the catalog
  publishes; each matter counts once;
- **in practice**, from prefill results: a required material is supplied when a
  valid license covered it, a field when it was filled; each prefill counts once,
  so a frequent matter weighs more.

Overall shares pool the counts of every matter (the sum of what is supplied over the
sum of what is asked), never average the matters' ratios. A share of nothing asked
has no ratio (None), rather than 0 or 1.

What one prefill supplied is kept as its `Supplied` counts (the access record of a
prefill carries them), so that the figures in practice stay those of the day even
when a matter's definition changes later.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from zhengzhao.sharing.forms import Prefill
from zhengzhao.sharing.matters import ServiceMatter

__all__ = [
    "FORMULAS",
    "PLAN_TARGET",
    "WEIGHTING",
    "Basis",
    "ExemptionReport",
    "MatterShares",
    "PlanTarget",
    "Share",
    "Supplied",
    "by_design",
    "in_practice",
]


class Basis(StrEnum):
    """What a share is counted from."""

    DESIGN = "design"
    PRACTICE = "practice"


#: The formulas of each basis, in words, as reports print them.
FORMULAS: dict[Basis, dict[str, str]] = {
    Basis.DESIGN: {
        "materials": "required materials whose license type the catalog publishes"
        " ÷ required materials, each matter once",
        "fields": "form fields with a source whose license type the catalog"
        " publishes ÷ form fields, each matter once",
        "overall": "sum of the matters' numerators ÷ sum of their denominators",
    },
    Basis.PRACTICE: {
        "materials": "required materials covered by a valid license ÷ required"
        " materials, over every prefill",
        "fields": "form fields filled ÷ form fields, over every prefill",
        "overall": "sum of the matters' numerators ÷ sum of their denominators",
    },
}


#: How matters weigh in the overall shares, in words, as reports print it.
WEIGHTING = (
    "overall shares pool the counts (sum supplied ÷ sum asked), never average the"
    " matters' ratios: by design each matter counts once, in practice each prefill"
    " once, so that a frequent matter weighs more; optional materials count in"
    " neither part, typed fields in the denominator; nothing asked gives no ratio"
)


@dataclass(frozen=True, kw_only=True)
class PlanTarget:
    """The plan's target for the material share."""

    #: The share of required license materials to be acquired by the systems.
    materials: float
    #: The day by which it is to be reached.
    by: date
    #: The plan that sets it.
    source: str
    #: The target in the plan's own terms.
    statement: str

    def met(self, share: Share) -> bool | None:
        """Whether ``share`` reaches the target; None when it has no ratio."""
        ratio = share.ratio
        return None if ratio is None else ratio >= self.materials

    def to_json(self) -> dict[str, Any]:
        return {
            "materials": self.materials,
            "by": self.by.isoformat(),
            "source": self.source,
            "statement": self.statement,
        }


#: 新政办发〔2022〕59号: 40% of license materials acquired by the end of 2023.
PLAN_TARGET = PlanTarget(
    materials=0.40,
    by=date(2023, 12, 31),
    source="新疆维吾尔自治区人民政府办公厅 新政办发〔2022〕59号",
    statement="by the end of 2023, 40% of the license materials and license"
    " information that service matters need are acquired by the application"
    " systems instead of being submitted by the applicant",
)


@dataclass(frozen=True, kw_only=True)
class Share:
    """A count of what is supplied out of a count of what is asked."""

    supplied: int = 0
    asked: int = 0

    @property
    def ratio(self) -> float | None:
        """``supplied / asked``; None when nothing is asked."""
        return self.supplied / self.asked if self.asked else None

    def __add__(self, other: Share) -> Share:
        return Share(
            supplied=self.supplied + other.supplied, asked=self.asked + other.asked
        )

    def to_json(self) -> dict[str, Any]:
        return {"supplied": self.supplied, "asked": self.asked, "ratio": self.ratio}


@dataclass(frozen=True, kw_only=True)
class Supplied:
    """What one prefill supplied of what its matter asked: the counts `in_practice`
    sums."""

    matter_code: str
    #: Required materials covered by a valid license, of the required materials.
    materials: Share
    #: Form fields filled, of the form's fields.
    fields: Share

    @classmethod
    def of(cls, result: Prefill) -> Supplied:
        """The counts of one prefill's result."""
        required = [m for m in result.materials if m.material.required]
        return cls(
            matter_code=result.matter_code,
            materials=Share(
                supplied=sum(m.covered for m in required), asked=len(required)
            ),
            fields=Share(
                supplied=sum(f.filled for f in result.fields), asked=len(result.fields)
            ),
        )

    @classmethod
    def from_json(cls, matter_code: str, value: Mapping[str, Any]) -> Supplied:
        """The counts as `to_json` wrote them (an access record's details)."""
        return cls(
            matter_code=matter_code,
            materials=_share(value["materials"]),
            fields=_share(value["fields"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "materials": {
                "supplied": self.materials.supplied,
                "asked": self.materials.asked,
            },
            "fields": {"supplied": self.fields.supplied, "asked": self.fields.asked},
        }


def _share(value: Mapping[str, Any]) -> Share:
    return Share(supplied=int(value["supplied"]), asked=int(value["asked"]))


@dataclass(frozen=True, kw_only=True)
class MatterShares:
    """The two shares of one matter."""

    matter_code: str
    #: Prefills counted: 0 by design, where each matter counts once.
    prefills: int
    materials: Share
    fields: Share

    def to_json(self) -> dict[str, Any]:
        return {
            "matter": self.matter_code,
            "prefills": self.prefills,
            "materials": self.materials.to_json(),
            "fields": self.fields.to_json(),
        }


@dataclass(frozen=True, kw_only=True)
class ExemptionReport:
    """The shares of each matter and overall, on one basis."""

    basis: Basis
    #: One entry per matter, in the order the matters were first seen.
    matters: tuple[MatterShares, ...]

    @property
    def materials(self) -> Share:
        """The overall material share: the matters' counts pooled."""
        return sum((m.materials for m in self.matters), Share())

    @property
    def fields(self) -> Share:
        """The overall field share: the matters' counts pooled."""
        return sum((m.fields for m in self.matters), Share())

    def to_json(self) -> dict[str, Any]:
        return {
            "basis": self.basis.value,
            "formulas": FORMULAS[self.basis],
            "overall": {
                "prefills": sum(m.prefills for m in self.matters),
                "materials": self.materials.to_json(),
                "fields": self.fields.to_json(),
            },
            "matters": [m.to_json() for m in self.matters],
        }


def by_design(
    matters: Sequence[ServiceMatter], *, published: Collection[str]
) -> ExemptionReport:
    """The shares the scenario list allows, given the ``published`` type codes.

    Material share: required materials whose type is in ``published`` ÷ required
    materials. Field share: fields with a source whose type is in ``published`` ÷
    fields. Overall: the counts of all ``matters`` pooled, each matter once.
    """
    rows = []
    for matter in matters:
        required = [m for m in matter.materials if m.required]
        materials = Share(
            supplied=sum(m.type_code in published for m in required),
            asked=len(required),
        )
        fields = Share(
            supplied=sum(
                f.source is not None and f.source.type_code in published
                for f in matter.form
            ),
            asked=len(matter.form),
        )
        rows.append(
            MatterShares(
                matter_code=matter.code, prefills=0, materials=materials, fields=fields
            )
        )
    return ExemptionReport(basis=Basis.DESIGN, matters=tuple(rows))


def in_practice(prefills: Iterable[Prefill | Supplied]) -> ExemptionReport:
    """The shares the platform supplied in ``prefills`` (results, or their stored
    counts), read once, in any order.

    Per matter: required materials covered ÷ required materials, and fields filled ÷
    fields, summed over the matter's prefills. Overall: the counts of all matters
    pooled, so that each prefill counts once.
    """
    totals: dict[str, tuple[int, Share, Share]] = {}
    for result in prefills:
        counted = result if isinstance(result, Supplied) else Supplied.of(result)
        code = counted.matter_code
        count, materials, fields = totals.get(code, (0, Share(), Share()))
        totals[code] = (
            count + 1,
            materials + counted.materials,
            fields + counted.fields,
        )
    return ExemptionReport(
        basis=Basis.PRACTICE,
        matters=tuple(
            MatterShares(matter_code=code, prefills=count, materials=m, fields=f)
            for code, (count, m, f) in totals.items()
        ),
    )
