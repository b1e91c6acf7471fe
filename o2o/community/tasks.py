"""Background jobs of community (django-tasks): the emails of a new post to the followers who chose email.

Idempotent: each notification is claimed with a conditional update (`emailed_at IS NULL`) before its email
is sent, so a task run twice, or the task and the sweep at once, email nobody twice. The periodic sweep
sends what a task missed (a queue outage when the post was published)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from o2o.community.models import Notification
from o2o.core.schedule import periodic

log = logging.getLogger(__name__)
SWEEP_AFTER = timedelta(minutes=2)  # the sweep leaves a fresh post's emails to its own task


def _send(n: Notification) -> bool:
    if not Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return False  # someone else sent it
    post, user = n.post, n.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("%(merchant)s posted: %(title)s") % {"merchant": post.merchant.name, "title": post.title}
        text = "\n\n".join(t for t in (post.title, post.body, _("You follow %(merchant)s on o2o.")
                                       % {"merchant": post.merchant.name}) if t)
    try:
        send_mail(subject, text, None, [user.email])
    except Exception:  # the mail server refused: logged; this one email is not sent again
        log.exception("could not email notification %s", n.pk)
        return False
    return True


def post_emails_send(*, post_id: Any = None, older_than: timedelta | None = None) -> int:
    """Emails every notification still due (of one post, or of all posts older than `older_than`)."""
    qs = Notification.objects.filter(by_email=True, emailed_at__isnull=True).select_related("post__merchant", "user")
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    if older_than is not None:
        qs = qs.filter(created_at__lte=timezone.now() - older_than)
    return sum(_send(n) for n in qs[:1000])


@task()
def post_emails_task(post_id: str) -> int:
    return post_emails_send(post_id=post_id)


@periodic("community.emails", every=timedelta(minutes=5))
def sweep_emails() -> int:
    """Every 5 minutes: the emails a post's task did not send (the queue was down when it was published)."""
    return post_emails_send(older_than=SWEEP_AFTER)
