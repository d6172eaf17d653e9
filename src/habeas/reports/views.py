"""The inspection report of an evaluation run, as a page (HTML) or a PDF to download."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from habeas.accounts.roles import Capability
from habeas.core import clock
from habeas.core.views import actor_of, facility_for, require
from habeas.reports import inspection
from habeas.standards import selectors


@login_required
@csp_update({"style-src": [inspection.CSS_HASH]})  # type: ignore[arg-type]
def inspection_report(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    """``?format=pdf`` for the PDF; the HTML otherwise. Issuing it is audited (it names people
    by custody number)."""
    require(request, Capability.VIEW_STANDARDS)
    facility = facility_for(request, code)
    run = selectors.runs(facility).filter(pk=run_id).first()
    if run is None:
        raise Http404(_("No such evaluation run."))
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    now = clock.now()
    html = inspection.render_html(run, generated_at=now, language=get_language() or "en")
    with transaction.atomic():
        inspection.record_issued(run=run, fmt=fmt, actor=actor_of(request), at=now)
    name = f"inspection-{facility.code}-{run.first_day:%Y%m%d}-{run.last_day:%Y%m%d}"
    if fmt == "pdf":
        response = HttpResponse(inspection.render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return HttpResponse(html)
