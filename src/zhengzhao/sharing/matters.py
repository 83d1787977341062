"""Service matters (政务服务事项): what a procedure needs from the license library.

A service matter is a procedure a department offers to the public, such as birth
registration or a food business licence application. The scenario list records, for
each matter, the license types an applicant would otherwise bring as materials, and the
fields of its application form, each filled from one field of one license type. A
matter may also rest on a legal basis that allows a using party to read licenses
without the holder's consent (an inspection, law enforcement); every such use must
then state its reason.

These are value objects with no I/O: storage keeps them, the sharing services read
them, and the seed scenario list in ``zhengzhao/data/matters.json`` is made of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.license import HolderKind

__all__ = [
    "LICENSE_METADATA_FIELDS",
    "FieldSource",
    "FormField",
    "Material",
    "ServiceMatter",
]

#: Metadata of a license (GB/T 36903 names) that a form field may be filled from,
#: beside the surface fields of the license type's schema.
LICENSE_METADATA_FIELDS: dict[str, str] = {
    "CZZT": "holder name",
    "CZZTDM": "holder identifier",
    "ZZBS": "license identifier",
    "ZZBH": "paper certificate number",
    "ZZBFJG": "issuer name",
    "ZZBFJGDM": "issuer credit code",
    "ZZBFRQ": "date of issue",
    "ZZYXQQSRQ": "first day of validity",
    "ZZYXQJZRQ": "last day of validity",
}


@dataclass(frozen=True, kw_only=True)
class Material:
    """A license an applicant would otherwise submit as a material."""

    #: The license type's 21-character catalog code.
    type_code: str
    #: Whether the matter cannot be applied for without it.
    required: bool = True


@dataclass(frozen=True, kw_only=True)
class FieldSource:
    """Where a form field's value comes from: one field of one license type."""

    type_code: str
    #: A surface field's dotted path in the type's schema (``address``), or one of
    #: `LICENSE_METADATA_FIELDS` (``CZZT``, the holder's name).
    field: str

    @property
    def is_metadata(self) -> bool:
        return self.field in LICENSE_METADATA_FIELDS


@dataclass(frozen=True, kw_only=True)
class FormField:
    """One field of a matter's application form."""

    #: The field's name on the form, lower camel case (``applicantName``).
    name: str
    label_zh: str
    label_en: str
    #: The license field that fills it; None when the applicant always types it in.
    source: FieldSource | None = None
    required: bool = True


@dataclass(frozen=True, kw_only=True)
class ServiceMatter:
    """A procedure of a department, with the licenses and form it needs."""

    #: The matter's code in the region's catalogue of service matters.
    code: str
    name_zh: str
    name_en: str
    #: The kind of department that offers it (a key of the department kinds).
    department_kind: str
    #: Whom the procedure serves: persons or organisations.
    holder_kind: HolderKind
    materials: tuple[Material, ...]
    form: tuple[FormField, ...]
    #: The law that allows access without the holder's consent, cited by article;
    #: None when every use needs the holder's authorization.
    legal_basis: str | None = None

    @property
    def type_codes(self) -> tuple[str, ...]:
        """The license types the matter reads: its materials, then form sources."""
        codes = [m.type_code for m in self.materials]
        for field in self.form:
            if field.source is not None and field.source.type_code not in codes:
                codes.append(field.source.type_code)
        return tuple(codes)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ServiceMatter:
        """A matter from its JSON form (as in the seed file and the API).

        Raises `InvalidRequest` naming the first member that is missing or wrong.
        """
        try:
            return cls(
                code=_text(value, "code"),
                name_zh=_text(value, "name_zh"),
                name_en=_text(value, "name_en"),
                department_kind=_text(value, "department_kind"),
                holder_kind=_holder_kind(_text(value, "holder_kind")),
                materials=tuple(
                    _material(f"materials[{i}]", item)
                    for i, item in enumerate(_list(value, "materials"))
                ),
                form=tuple(
                    _form_field(f"form[{i}]", item)
                    for i, item in enumerate(_list(value, "form"))
                ),
                legal_basis=_optional_text(value, "legal_basis"),
            )
        except ValueError as error:
            raise InvalidRequest(f"service matter: {error}") from error

    def to_json(self) -> dict[str, Any]:
        """The matter's JSON form; `from_json` reads it back unchanged."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "department_kind": self.department_kind,
            "holder_kind": self.holder_kind.value,
            "materials": [
                {"type_code": m.type_code, "required": m.required}
                for m in self.materials
            ],
            "form": [
                {
                    "name": f.name,
                    "label_zh": f.label_zh,
                    "label_en": f.label_en,
                    "source": (
                        {"type_code": f.source.type_code, "field": f.source.field}
                        if f.source
                        else None
                    ),
                    "required": f.required,
                }
                for f in self.form
            ],
            "legal_basis": self.legal_basis,
        }


def _holder_kind(text: str) -> HolderKind:
    try:
        return HolderKind(text)
    except ValueError:
        known = " or ".join(kind.value for kind in HolderKind)
        raise ValueError(f"holder_kind must be {known}, not {text!r}") from None


def _material(where: str, value: Any) -> Material:
    return Material(
        type_code=_text(value, "type_code", where=where),
        required=_flag(value, "required", where=where),
    )


def _form_field(where: str, value: Any) -> FormField:
    source = value.get("source") if isinstance(value, dict) else None
    return FormField(
        name=_text(value, "name", where=where),
        label_zh=_text(value, "label_zh", where=where),
        label_en=_text(value, "label_en", where=where),
        source=(
            FieldSource(
                type_code=_text(source, "type_code", where=f"{where}.source"),
                field=_text(source, "field", where=f"{where}.source"),
            )
            if source is not None
            else None
        ),
        required=_flag(value, "required", where=where),
    )


def _member(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _text(value: Any, name: str, *, where: str = "") -> str:
    if not isinstance(value, dict):
        raise ValueError(f"{where or 'the matter'} must be an object")
    text = value.get(name)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{_member(where, name)} must be a non-empty string")
    return text.strip()


def _optional_text(value: dict[str, Any], name: str) -> str | None:
    text = value.get(name)
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise ValueError(f"{name} must be a string or null")
    return text.strip() or None


def _flag(value: Any, name: str, *, where: str) -> bool:
    flag = value.get(name, True)
    if not isinstance(flag, bool):
        raise ValueError(f"{_member(where, name)} must be true or false, not {flag!r}")
    return flag


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, dict):
        raise ValueError("the matter must be an object")
    items = value.get(name, [])
    if not isinstance(items, list):
        raise ValueError(f"{name} must be a list")
    return items
