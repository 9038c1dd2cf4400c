"""What a poll tells people: a short report that cron mails when there is something to act on."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from watch.errors import NotifyError
from watch.records import MailSettings, PollSummary


def poll_report(
    summary: PollSummary, new_flags: Sequence[dict] = (), *, verbose: bool = False
) -> str:
    """Empty when there is nothing new to act on, so cron sends no mail (unless verbose)."""
    lines = []
    if new_flags:
        lines.append(f"{len(new_flags)} new flag(s) to review (appealwatch flags):")
        for flag in new_flags:
            when = flag.get("date") or "date unknown"
            lines.append(f"  #{flag['id']} {flag['person']}: {flag['event']} ({when})")
            lines.append(f"      {_short(flag.get('evidence') or '')}")
            lines.append(f"      {flag.get('url') or ''}")
    if summary.dark_sources:
        lines.append("Sources failing for days (appealwatch sources):")
        lines.extend(f"  {name}" for name in summary.dark_sources)
    if verbose:
        lines.append(
            f"Polled {summary.sources_due} source(s): {summary.sources_ok} ok, "
            f"{summary.sources_failed} failed; {summary.documents_new} new document(s), "
            f"{summary.mentions_new} mention(s), {summary.events_new} event(s), "
            f"{summary.flags_new} flag(s)."
        )
        lines.extend(f"  failed: {name}: {message}" for name, message in summary.failures)
    return "\n".join(lines)


def _short(text: str, width: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def mail_report(mail: MailSettings, report: str, *, subject: str) -> None:
    """Send the poll report; raise NotifyError with the reason when the server refuses."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="appealwatch")
    message.set_content(report)
    password = os.environ.get(mail.password_env) if mail.password_env else None
    if mail.password_env and password is None:
        raise NotifyError(
            f"settings.mail.password_env names ${mail.password_env}, which is not set"
        )
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=30) as smtp:
            if mail.starttls:
                smtp.starttls()
            if mail.username:
                smtp.login(mail.username, password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise NotifyError(f"could not mail the report through {mail.smtp}: {error}") from error
