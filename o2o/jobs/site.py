"""The site half of a job: a technician's check-in on site (position, phone time, photo; refused when
farther than the form's radius from the site or timed in the future) and check-out with a note; print
proofs (a PDF the merchant uploads, rendered to a PNG preview, approved by the customer or sent back)."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Conflict, Forbidden, Invalid, NotFound
from o2o.core.state import transition
from o2o.jobs import escrow, files, selectors
from o2o.jobs.enums import (
    CLOSED_MILESTONES,
    PROOF_TRANSITIONS,
    JobStatus,
    MilestoneKind,
    MilestoneStatus,
    ProofStatus,
)
from o2o.jobs.models import CheckIn, Job, Milestone, Proof, ProofEvent, Upload
from o2o.merchants.access import as_uuid

CLOCK_SKEW = timedelta(minutes=2)  # a phone's clock may run a little ahead
MAX_AGE = timedelta(hours=12)  # a check-in sent later than this is not "on site now"
PREVIEW_DPI = 72


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _photo(user: User, photo_id: Any, job: Job, field: str, attached_as: str) -> Upload:
    try:
        pk = as_uuid(photo_id)
    except NotFound:
        raise Invalid(_("Some fields are not valid."), fields={field: _("not an upload id")}) from None
    up = Upload.objects.select_for_update().filter(pk=pk, owner=user, request__isnull=True).first()
    if up is None or up.kind not in files.IMAGE_KINDS:
        raise Invalid(_("Some fields are not valid."), fields={field: _("an unused photo you uploaded")})
    Upload.objects.filter(pk=up.pk).update(request=job.request, attached_as=attached_as)
    return up


def check_in(*, technician: User, milestone_id: Any, lat: float, lng: float, at: datetime, photo_id: Any) -> CheckIn:
    """A technician (any staff of the job's merchant) checks in at the site of a milestone. Refused (422)
    when farther than the form's check-in radius from the site (`too_far`, with the distance), when the
    phone's time is in the future or stale (`bad_time`), or without a photo; the milestone starts."""
    m, side = selectors.milestone_for(user=technician, milestone_id=milestone_id)
    if side != "merchant":
        raise NotFound()
    job = m.job
    req = job.request
    if req.site_lat is None or req.site_lng is None:
        raise Conflict(_("This request has no site position to check in at."), code="no_site")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid(_("Some fields are not valid."), fields={"lat": _("-90 to 90"), "lng": _("-180 to 180")})
    if at.tzinfo is None:
        raise Invalid(_("Give the time with its offset."), fields={"at": _("ISO 8601 with offset")})
    now = timezone.now()
    if at > now + CLOCK_SKEW:
        raise Invalid(_("The check-in time is in the future."), fields={"at": _("in the future")}, code="bad_time")
    if at < now - MAX_AGE:
        raise Invalid(_("The check-in time is too long ago."), fields={"at": _("too old")}, code="bad_time")
    d = distance_m(lat, lng, req.site_lat, req.site_lng)
    radius = req.form.checkin_radius_m
    if d > radius:
        raise Invalid(_("You are %(d)d m from the site; check in within %(r)d m of it.") % {"d": d, "r": radius},
                      fields={"distance_m": round(d), "radius_m": radius}, code="too_far")
    if m.status in CLOSED_MILESTONES or m.status not in (MilestoneStatus.PENDING, MilestoneStatus.IN_PROGRESS,
                                                         MilestoneStatus.DONE):
        raise Conflict(_("This milestone is %(s)s.") % {"s": m.get_status_display()}, code="invalid_transition")
    with transaction.atomic():
        photo = _photo(technician, photo_id, job, "photo_id", "check_in")
        if m.status == MilestoneStatus.PENDING:
            escrow.milestone_start(staff=technician, milestone_id=m.pk, reason="checked in on site")
        elif m.status == MilestoneStatus.DONE:
            escrow.milestone_move(m, MilestoneStatus.IN_PROGRESS, actor=technician, reason="checked in again")
        return CheckIn.objects.create(milestone=m, technician=technician, lat=lat, lng=lng, at=at,
                                      distance_m=round(d, 1), photo=photo)


def check_out(*, technician: User, check_in_id: Any, note: Any, at: datetime | None = None) -> CheckIn:
    c = selectors.check_in_for(user=technician, check_in_id=check_in_id)
    if not isinstance(note, str) or len(note) > 4000:
        raise Invalid(_("Some fields are not valid."), fields={"note": _("at most 4000 characters")})
    now = timezone.now()
    at = at or now
    if at.tzinfo is None or at > now + CLOCK_SKEW or at < c.at:
        raise Invalid(_("The check-out time is not valid."), fields={"at": _("after the check-in, not in the future")},
                      code="bad_time")
    moved = CheckIn.objects.filter(pk=c.pk, checked_out_at__isnull=True).update(checked_out_at=at, note=note.strip())
    if not moved:
        raise Conflict(_("Already checked out."), code="already_checked_out")
    c.refresh_from_db()
    return c


# --- proofs --------------------------------------------------------------------------------------------

def render_preview(pdf: bytes) -> bytes:
    """The first page as a PNG: pdftoppm (poppler-utils) when the machine has it, else pypdfium2."""
    exe = shutil.which("pdftoppm")
    if exe:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.pdf"
            src.write_bytes(pdf)
            args = [exe, "-png", "-r", str(PREVIEW_DPI), "-f", "1", "-l", "1", "-singlefile", str(src),
                    str(Path(tmp) / "out")]  # our own temporary paths, no shell
            subprocess.run(args, check=True, timeout=60, capture_output=True)  # noqa: S603
            return (Path(tmp) / "out.png").read_bytes()
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        image = page.render(scale=PREVIEW_DPI / 72).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        doc.close()


def proof_upload(*, staff: User, job_id: Any, data: bytes) -> Proof:
    """The merchant's proof of a print job: a PDF checked by jobs.files (no JavaScript, readable), its
    first page rendered to a preview PNG; the customer approves it or asks for changes."""
    job = selectors.job_for_staff(user=staff, job_id=job_id)
    if job.status != JobStatus.ACTIVE:
        raise Conflict(_("Proofs follow the deposit."), code="deposit_unpaid")
    files.check_file(data, allowed=frozenset({"pdf"}), field="file")
    try:
        preview = render_preview(data)
    except Exception:  # noqa: BLE001 - a PDF the renderer cannot draw is refused, never a 500
        raise Invalid(_("This PDF cannot be rendered."), fields={"file": _("not renderable")},
                      code="invalid_file") from None
    from o2o.jobs.services import upload_create

    with transaction.atomic():
        Job.objects.select_for_update().get(pk=job.pk)
        up = upload_create(user=staff, data=data, name="proof.pdf")
        Upload.objects.filter(pk=up.pk).update(request=job.request, attached_as="proof")
        version = (Proof.objects.filter(job=job).aggregate(v=Max("version"))["v"] or 0) + 1
        proof = Proof(job=job, version=version, pdf=up, pages=files.check_pdf(data, field="file").pages or 1)
        proof.preview.save(f"{proof.id.hex}.png", ContentFile(preview), save=False)
        proof.save()
        ProofEvent.objects.create(proof=proof, actor=staff, to_status=proof.status, reason="uploaded")
    return proof


def proof_decide(*, customer: User, proof_id: Any, approve: bool, comment: Any = "") -> Proof:
    """The customer approves the proof (printing may then start; the proof milestone is done) or asks for
    changes with a comment. Decided already: 409 invalid_transition."""
    p, side = selectors.proof_for(user=customer, proof_id=proof_id)
    if side != "customer":
        raise Forbidden(_("Only the customer approves a proof."))
    if not isinstance(comment, str) or len(comment) > 4000 or (not approve and not comment.strip()):
        raise Invalid(_("Say what to change."), fields={"comment": _("1 to 4000 characters")})
    with transaction.atomic():
        Job.objects.select_for_update().get(pk=p.job_id)
        p = Proof.objects.select_for_update().get(pk=p.pk)
        transition(obj=p, to=ProofStatus.APPROVED if approve else ProofStatus.CHANGES, table=PROOF_TRANSITIONS,
                   event_model=ProofEvent, event_fk="proof", actor=customer, reason=comment.strip()[:200],
                   extra={"comment": comment.strip()})
        if approve:
            for m in Milestone.objects.filter(job_id=p.job_id, kind=MilestoneKind.PROOF,
                                              status__in=[MilestoneStatus.PENDING, MilestoneStatus.IN_PROGRESS]):
                escrow.milestone_move(m, MilestoneStatus.DONE, actor=customer, reason=f"proof v{p.version} approved")
    return p
