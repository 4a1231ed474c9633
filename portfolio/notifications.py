"""E-mail about the four-eyes workflow and the tranches that fell due.

- A requested disbursement: to the fund's other managers, who can approve it.
- An approved or rejected one: to its requester.
- Every morning: each fund's managers get the list of its overdue tranches (planned date passed, neither
  paid nor cancelled), when there are any.

The services call `on_disbursement_requested` / `on_disbursement_decided` inside their transaction; the
e-mail is queued only after the commit, and a failure to queue it (Redis down) or to send it (SMTP down) is
logged and never reaches the record: the disbursement is saved whatever the mail does. A history import
mutes them (`muted()`): nobody needs mail about requests decided years ago.
"""

import contextlib
import contextvars
import datetime
import logging
from dataclasses import dataclass
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portfolio import selectors
from portfolio.formats import format_day
from portfolio.models import Disbursement, Fund, Tranche
from portfolio.money import format_money

logger = logging.getLogger(__name__)

REQUESTED_TASK = "portfolio.tasks.notify_disbursement_requested"
DECIDED_TASK = "portfolio.tasks.notify_disbursement_decided"

_muted = contextvars.ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """No notification is queued inside this block (a history import)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def on_disbursement_requested(disbursement: Disbursement) -> None:
    """After commit, queue the e-mail to the fund's other managers."""
    if not _muted.get():
        transaction.on_commit(partial(_queue, REQUESTED_TASK, disbursement.pk), robust=True)


def on_disbursement_decided(disbursement: Disbursement) -> None:
    """After commit, queue the e-mail to the requester (approved or rejected)."""
    if not _muted.get():
        transaction.on_commit(partial(_queue, DECIDED_TASK, disbursement.pk), robust=True)


def _queue(task_name: str, disbursement_id: int) -> None:
    # The record is committed already: nothing here may raise into the request that saved it (Redis down,
    # or in the demo's in-process mode a mail server that refuses).
    try:
        current_app.tasks[task_name].apply_async(kwargs={"disbursement_id": disbursement_id}, retry=False)
    except Exception:  # noqa: BLE001
        logger.warning(
            "notification %s of disbursement %s not sent", task_name, disbursement_id, exc_info=True
        )


def recipient_language(user) -> str:
    """The language a user reads mail in. Users carry no language preference yet: the site's default."""
    return settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Mail:
    to: str
    language: str
    subject: str
    body: str


def _compose(user, write) -> Mail | None:
    """`write()` called in the recipient's language; None for a user without an address."""
    if not user.email or not user.is_active:
        return None
    language = recipient_language(user)
    with translation.override(language):
        subject, body = write()
    return Mail(to=user.email, language=language, subject=" ".join(subject.split()), body=body)


def _to_each(users, write) -> list[Mail]:
    return [mail for mail in (_compose(user, write) for user in users) if mail is not None]


def send(mails: list[Mail]) -> int:
    """Send each mail over one connection; returns how many went. A failure raises (the task retries)."""
    if not mails:
        return 0
    messages = [
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            to=[mail.to],
            headers={"Content-Language": mail.language},
        )
        for mail in mails
    ]
    return get_connection(fail_silently=False).send_messages(messages) or 0


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "?"


def _disbursement(disbursement_id: int) -> Disbursement | None:
    # A record rolled back after its message was queued (a test, a failed import) has nothing to say.
    return (
        Disbursement.objects.select_related(
            "project__fund", "tranche", "requested_by", "approved_by", "rejected_by"
        )
        .filter(pk=disbursement_id)
        .first()
    )


def _facts(disbursement: Disbursement) -> list[str]:
    project = disbursement.project
    lines = [
        _("Fund: %(fund)s") % {"fund": project.fund.name},
        _("Project: %(project)s") % {"project": project.title},
        _("Amount: %(amount)s") % {"amount": format_money(disbursement.amount)},
    ]
    if disbursement.tranche is not None:
        lines.append(_("Tranche: %(number)s") % {"number": disbursement.tranche.number})
    lines.append(
        _("Requested by %(name)s on %(date)s")
        % {
            "name": _name(disbursement.requested_by),
            "date": format_day(timezone.localdate(disbursement.requested_at)),
        }
    )
    if disbursement.note:
        lines.append(_("Note: %(note)s") % {"note": disbursement.note})
    return lines


def disbursement_requested_mails(disbursement_id: int) -> list[Mail]:
    """To every other manager of the fund: a request waits for their approval."""
    disbursement = _disbursement(disbursement_id)
    if disbursement is None or disbursement.status != Disbursement.Status.REQUESTED:
        return []
    managers = disbursement.project.fund.managers.exclude(pk=disbursement.requested_by_id).order_by("pk")

    def write():
        subject = _("Disbursement requested: %(project)s, %(amount)s") % {
            "project": disbursement.project.title,
            "amount": format_money(disbursement.amount),
        }
        body = [
            _("A disbursement was requested and waits for a second manager's approval."),
            "",
            *_facts(disbursement),
            "",
            _("Sign in to fundtracker to approve or reject it."),
        ]
        return subject, "\n".join(body)

    return _to_each(managers, write)


def disbursement_decided_mails(disbursement_id: int) -> list[Mail]:
    """To the requester: their request was approved, or rejected with the reason."""
    disbursement = _disbursement(disbursement_id)
    if disbursement is None or disbursement.requested_by is None:
        return []
    status = disbursement.status
    if status not in (Disbursement.Status.APPROVED, Disbursement.Status.REJECTED):
        return []

    def write():
        facts = {"project": disbursement.project.title, "amount": format_money(disbursement.amount)}
        if status == Disbursement.Status.APPROVED:
            subject = _("Disbursement approved: %(project)s, %(amount)s") % facts
            decision = _("%(name)s approved your request on %(date)s.") % {
                "name": _name(disbursement.approved_by),
                "date": format_day(timezone.localdate(disbursement.approved_at)),
            }
            extra = []
        else:
            subject = _("Disbursement rejected: %(project)s, %(amount)s") % facts
            decision = _("%(name)s rejected your request on %(date)s.") % {
                "name": _name(disbursement.rejected_by),
                "date": format_day(timezone.localdate(disbursement.rejected_at)),
            }
            extra = [_("Reason: %(reason)s") % {"reason": disbursement.rejection_reason}]
        return subject, "\n".join([decision, *extra, "", *_facts(disbursement)])

    return _to_each([disbursement.requested_by], write)


# --- the daily digest of overdue tranches ------------------------------------------------------------------


def overdue_tranches(today: datetime.date):
    """Tranches whose planned date has passed and that are neither paid nor cancelled, of projects still
    alive, every fund at once."""
    return (
        Tranche.objects.filter(selectors.overdue(today))
        .select_related("project")
        .order_by("project__fund_id", "planned_date", "project__title", "number")
    )


def overdue_digest_mails(today: datetime.date) -> list[Mail]:
    """One e-mail per manager of each fund that has overdue tranches, listing them oldest first."""
    by_fund: dict[int, list[Tranche]] = {}
    for tranche in overdue_tranches(today):
        by_fund.setdefault(tranche.project.fund_id, []).append(tranche)
    if not by_fund:
        return []
    funds = Fund.objects.filter(pk__in=by_fund).prefetch_related("managers").order_by("name")
    mails = []
    for fund in funds:
        tranches = by_fund[fund.pk]

        def write(fund=fund, tranches=tranches):
            subject = ngettext(
                "%(fund)s: %(count)s overdue tranche", "%(fund)s: %(count)s overdue tranches", len(tranches)
            ) % {"fund": fund.name, "count": len(tranches)}
            lines = [
                _("These tranches of %(fund)s passed their planned date and are neither paid nor cancelled:")
                % {"fund": fund.name},
                "",
            ]
            for tranche in tranches:
                lines.append(
                    _(
                        "- %(project)s, tranche %(number)s: %(amount)s, planned for %(date)s "
                        "(%(days)s days overdue), %(status)s"
                    )
                    % {
                        "project": tranche.project.title,
                        "number": tranche.number,
                        "amount": format_money(tranche.amount),
                        "date": format_day(tranche.planned_date),
                        "days": (today - tranche.planned_date).days,
                        "status": tranche.get_status_display().lower(),
                    }
                )
            return subject, "\n".join(lines)

        mails.extend(_to_each(fund.managers.all(), write))
    return mails
