"""Server-rendered pages: the landing page and the verification form.

These pages need no JavaScript and no login: they show what the node holds in
aggregate, and verify a license the visitor pastes, which reveals nothing the pasted
document does not already say. The quality report, which does need a login, is in
`zhengzhao.web.quality`.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from zhengzhao.api.deps import CurrentNode, Now
from zhengzhao.model.nesting import MAX_DOCUMENT_DEPTH
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage import regions as region_store
from zhengzhao.verify.service import verify_on_node

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(files("zhengzhao.web") / "templates"))

#: Pasted documents larger than this are refused before parsing (a license is ~3 KB).
MAX_PASTE = 200_000


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, node: CurrentNode) -> HTMLResponse:
    with node.database.reading() as conn:
        counts = {
            "regions": len(region_store.list_regions(conn)),
            "departments": len(department_store.list_departments(conn)),
            "types": len(catalog_store.list_types(conn)),
            "licenses": license_store.count_licenses(conn),
        }
        types = catalog_store.list_types(conn)
    return templates.TemplateResponse(
        request,
        "index.html",
        {"counts": counts, "types": types, "node": node.settings, "report": None},
    )


@router.post("/verify", response_class=HTMLResponse)
def verify_pasted(
    request: Request,
    node: CurrentNode,
    now: Now,
    document: Annotated[str, Form(max_length=MAX_PASTE)],
) -> HTMLResponse:
    error = None
    report = None
    try:
        parsed = json.loads(document)
    except ValueError as exc:
        error = f"This is not JSON: {exc}. Paste the whole license document."
    except RecursionError:
        error = (
            "This JSON nests too deeply to be a license: a license nests fewer than"
            f" {MAX_DOCUMENT_DEPTH} levels. Paste the whole license document."
        )
    else:
        if isinstance(parsed, dict) and isinstance(parsed.get("document"), dict):
            parsed = parsed["document"]  # an API response: check the credential in it
        report = verify_on_node(node, parsed, now=now)
    return templates.TemplateResponse(
        request,
        "report.html",
        {"report": report, "error": error, "pasted": document, "node": node.settings},
        status_code=200 if error is None else 422,
    )
