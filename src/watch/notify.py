"""What a poll tells people: a short report that cron mails when there is something to act on."""

from __future__ import annotations

from collections.abc import Sequence

from watch.records import PollSummary


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
