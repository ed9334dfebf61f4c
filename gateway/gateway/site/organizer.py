"""The fair organizer's desk (银企对接会): set a fair up, invite from live matches, validate
registrations, run the scheduler, read each participant's agenda, record outcomes and close the fair.
Every datum comes from the events service's public API through the gateway (`upstream.Api`)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.site.desk import Rule, api_errors
from gateway.site.forms import (
    Refused,
    error_page,
    lang_of,
    read_form,
    read_list,
    refusal_page,
    render,
    rows,
    signed_in,
    submit,
)
from gateway.site.i18n import FormErrors, Lang, word
from gateway.site.upstream import Api, ApiAnswer

router = APIRouter(include_in_schema=False)

# Inner Mongolia keeps China Standard Time: the organizer types and reads local times.
LOCAL = ZoneInfo("Asia/Shanghai")
UUID_RE = re.compile(r"^[0-9a-fA-F-]{36}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^\d{2}:\d{2}$")
SLOT_MINUTES = (15, 20, 30)
FAIR_ACTIONS = ("publish", "cancel", "close", "invite", "close-requests")
# The API's fields (dotted paths) → this form's fields, whose labels are `field.fair_*`.
FAIR_NAMES = {
    "name": "fair_name",
    "league_codes": "fair_leagues",
    "industries": "fair_industries",
    "venue": "fair_venue",
    "online_url": "fair_online_url",
    "sessions": "fair_s1_start",
    "sessions.0": "fair_s1_end",
    "sessions.0.starts_at": "fair_s1_start",
    "sessions.0.ends_at": "fair_s1_end",
    "sessions.1": "fair_s2_end",
    "sessions.1.starts_at": "fair_s2_start",
    "sessions.1.ends_at": "fair_s2_end",
    "slot_minutes": "fair_slot_minutes",
    "tables": "fair_tables",
    "requests_close_at": "fair_close_at",
}
FAIR_RULES = (
    Rule(re.compile(r"give a venue or an online link"), "o.error.venue", "fair_venue"),
    Rule(re.compile(r"start in the past"), "o.error.past", "fair_date"),
    Rule(re.compile(r"must end after it starts"), "o.error.order"),
    Rule(re.compile(r"session 1 is shorter than one (?P<m>\d+)-minute"), "o.error.short", "fair_s1_end"),
    Rule(re.compile(r"session 2 is shorter than one (?P<m>\d+)-minute"), "o.error.short", "fair_s2_end"),
    Rule(re.compile(r"session 1 is longer than 12 hours"), "o.error.long", "fair_s1_end"),
    Rule(re.compile(r"session 2 is longer than 12 hours"), "o.error.long", "fair_s2_end"),
    Rule(re.compile(r"session 2 starts before session 1 ends"), "o.error.overlap", "fair_s2_start"),
    Rule(re.compile(r"more than (?P<max>\d+) slots"), "o.error.slots", "fair_slot_minutes"),
    Rule(re.compile(r"requests_close_at must be"), "o.error.close_at", "fair_close_at"),
    Rule(
        re.compile(r"at least one league|Inner Mongolia (league|division)"), "o.error.leagues", "fair_leagues"
    ),
)
ACTION_RULES = (
    Rule(re.compile(r"start has passed"), "o.error.started"),
    Rule(re.compile(r"publish the final schedule before closing"), "o.error.close_final"),
    Rule(re.compile(r"no meeting is recorded as held"), "o.error.close_none"),
    Rule(re.compile(r"already taken place; close it instead"), "o.error.cancel_held"),
    Rule(re.compile(r"already taken place; the schedule is fixed"), "o.error.schedule_fixed"),
    Rule(re.compile(r"(?P<n>\d+) meeting request\(s\) are still pending"), "o.error.pending_requests"),
    Rule(re.compile(r"check in (?P<who>.+) before recording"), "o.error.check_in"),
    Rule(re.compile(r"schedule is not final yet"), "o.error.not_final"),
    Rule(
        re.compile(r"venue has (?P<free>\d+) free table\(s\) and this bank asks for (?P<asked>\d+)"),
        "o.error.tables",
    ),
    Rule(re.compile(r"already recorded as"), "o.error.recorded"),
    Rule(re.compile(r"an intention is already recorded"), "o.error.intention_exists"),
    Rule(re.compile(r"an intention is signed at a held meeting"), "o.error.intention_held"),
    Rule(re.compile(r"only a pending one can be decided"), "o.error.decided"),
    Rule(re.compile(r"only validated participants check in"), "o.error.not_validated"),
    Rule(re.compile(r"^the fair is (?P<status>\w+)"), "o.error.status"),
)
INTENTION_NAMES = {"amount": "fair_intention_amount"}


def local(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An API time (ISO, UTC) as Inner Mongolia's local time."""
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    return at.astimezone(LOCAL).strftime(fmt)


def _at(day: str, clock: str) -> str:
    """A local date and time as UTC ISO; the typed text itself when it is not one (the API names it)."""
    if DATE_RE.match(day) and TIME_RE.match(clock):
        try:
            at = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=LOCAL)
        except ValueError:
            return f"{day}T{clock}"
        return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return f"{day}T{clock}" if day or clock else ""


def fair_body(form: dict[str, str], leagues: list[str]) -> dict[str, Any]:
    """The fair as the API wants it, from the form (times typed in local time)."""
    day = form.get("fair_date", "")
    sessions = [
        {
            "starts_at": _at(day, form.get("fair_s1_start", "")),
            "ends_at": _at(day, form.get("fair_s1_end", "")),
        }
    ]
    if form.get("fair_s2_start") or form.get("fair_s2_end"):
        sessions.append(
            {
                "starts_at": _at(day, form.get("fair_s2_start", "")),
                "ends_at": _at(day, form.get("fair_s2_end", "")),
            }
        )
    slot = form.get("fair_slot_minutes", "")
    tables = form.get("fair_tables", "")
    body: dict[str, Any] = {
        "name": form.get("fair_name", ""),
        "league_codes": leagues,
        "industries": [i.strip().upper() for i in form.get("fair_industries", "").split(",") if i.strip()][
            :50
        ],
        "venue": form.get("fair_venue") or None,
        "online_url": form.get("fair_online_url") or None,
        "sessions": sessions,
        "slot_minutes": int(slot) if slot.isdigit() and len(slot) <= 3 else slot,
        "tables": int(tables) if tables.isdigit() and len(tables) <= 6 else tables,
        "auto_accept": form.get("fair_auto_accept") == "on",
    }
    close = form.get("fair_close_at", "")
    if close:
        day_part, _, clock = close.partition("T")
        body["requests_close_at"] = _at(day_part, clock[:5])
    return body


def fair_form(fair: dict[str, Any]) -> dict[str, str]:
    """A stored fair as the form shows it (for editing a draft)."""
    sessions = fair.get("sessions") or []
    out = {
        "fair_name": fair["name"],
        "fair_leagues": ",".join(fair.get("league_codes", [])),
        "fair_industries": ", ".join(fair.get("industries", [])),
        "fair_venue": fair.get("venue") or "",
        "fair_online_url": fair.get("online_url") or "",
        "fair_slot_minutes": str(fair["slot_minutes"]),
        "fair_tables": str(fair["tables"]),
    }
    if sessions:
        out["fair_date"] = local(sessions[0]["starts_at"], "%Y-%m-%d")
    for n, s in enumerate(sessions[:2], start=1):
        out[f"fair_s{n}_start"] = local(s["starts_at"], "%H:%M")
        out[f"fair_s{n}_end"] = local(s["ends_at"], "%H:%M")
    if fair.get("requests_close_at"):
        out["fair_close_at"] = local(fair["requests_close_at"], "%Y-%m-%dT%H:%M")
    if fair.get("auto_accept"):
        out["fair_auto_accept"] = "on"
    return out


def fair_errors(lang: Lang, answer: ApiAnswer, form: dict[str, str]) -> FormErrors:
    """A refused fair: each problem next to its field; without a date, once at the date."""
    errors = api_errors(lang, answer, FAIR_NAMES, rules=FAIR_RULES + ACTION_RULES)
    if not DATE_RE.match(form.get("fair_date", "")):
        # Without a day every session time fails: say it once, at the date.
        times = [n for n in errors.fields if n.startswith("fair_s")]
        for name in times:
            del errors.fields[name]
        if times:
            errors.fields.setdefault("fair_date", word(lang, "o.error.date"))
    return errors


async def _nothing() -> ApiAnswer | None:
    return None


async def _leagues(api: Api) -> list[dict[str, str]]:
    return rows(await api.get("/api/v1/reference/leagues"))


async def _home(request: Request, api: Api, me: dict[str, Any], refused: Refused | None = None) -> Response:
    fairs, leagues = await asyncio.gather(api.get("/api/v1/fairs", limit=200), _leagues(api))
    if not fairs.ok:
        return refusal_page(request, fairs, me=me)
    own = [f for f in rows(fairs) if f.get("organizer_org_id") == me["org_id"]]
    own.sort(key=lambda f: str(f.get("starts_at")), reverse=True)
    return render(
        request,
        "organizer/home.html",
        status=refused.status if refused else 200,
        me=me,
        fairs=own,
        leagues=leagues,
        slot_minutes=SLOT_MINUTES,
        local=local,
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else {"fair_slot_minutes": "20", "fair_tables": "20"},
    )


@router.get("/organizer")
async def organizer_home(request: Request) -> Response:
    """The organizer's fairs, newest first, and the form for a new one."""
    got = await signed_in(request, "organizer")
    if isinstance(got, Response):
        return got
    return await _home(request, *got)


@router.post("/organizer/fairs")
async def create_fair(request: Request) -> Response:
    """Draft a fair; it is announced with publish on its page."""
    got = await signed_in(request, "organizer", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    lang = lang_of(request)
    return await submit(
        request,
        api,
        "/api/v1/fairs",
        fair_body(form, await read_list(request, "fair_leagues")),
        form=form,
        done=lambda answer: f"/organizer/fairs/{answer.body['id']}",
        again=lambda refused: _home(request, api, me, refused),
        errors_of=lambda answer: fair_errors(lang, answer, form),
    )


async def _fair_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    fair_id: str,
    *,
    refused: Refused | None = None,
    failed: str | None = None,
) -> Response:
    if not UUID_RE.match(fair_id):
        return error_page(request, 404, "error.not_found", me=me)
    fair = await api.get(f"/api/v1/fairs/{fair_id}")
    if not fair.ok:
        return refusal_page(request, fair, me=me)
    f = fair.body
    if f.get("organizer_org_id") != me["org_id"]:
        return error_page(request, 403, "error.forbidden", me=me)
    base = f"/api/v1/fairs/{fair_id}"
    # The panels' answers side by side: the page waits for the slowest, not for their sum.
    invitations, registrations, meetings, runs, report = await asyncio.gather(
        api.get(f"{base}/invitations"),
        api.get(f"{base}/registrations"),
        api.get(f"{base}/meetings"),
        api.get(f"{base}/schedule/runs"),
        api.get(f"{base}/report") if f["status"] in ("published", "held") else _nothing(),
    )
    regs = rows(registrations)
    lines = (report.body or {}).get("meetings", []) if report is not None and report.ok else []
    typed = refused.form if refused else {}
    return render(
        request,
        "organizer/fair.html",
        status=refused.status if refused else 200,
        me=me,
        fair=f,
        invitations=rows(invitations),
        registrations=regs,
        meetings=sorted(rows(meetings), key=lambda m: (m["slot"], m["table_no"])),
        names={r["id"]: r["display_name"] for r in regs},
        slots={s["index"]: s for s in f.get("slots", [])},
        intentions={str(x["meeting_id"]): x["intention_amount"] for x in lines if x.get("intention_amount")},
        runs=rows(runs),
        report=report.body if report is not None and report.ok else None,
        leagues=await _leagues(api) if f["status"] == "draft" else [],
        slot_minutes=SLOT_MINUTES,
        local=local,
        errors=refused.errors if refused else FormErrors(),
        edit_form=typed if failed == "edit" else fair_form(f),
        form=typed,
        failed=failed,
        row_errors={refused.row: refused.sentence} if refused and refused.row else {},
        unavailable=not (invitations.ok and registrations.ok and meetings.ok and runs.ok),
    )


@router.get("/organizer/fairs/{fair_id}")
async def fair_desk(fair_id: str, request: Request) -> Response:
    got = await signed_in(request, "organizer")
    if isinstance(got, Response):
        return got
    return await _fair_desk(request, *got, fair_id)


@router.post("/organizer/fairs/{fair_id}/edit")
async def edit_fair(fair_id: str, request: Request) -> Response:
    """Change a draft (an announced fair is changed only by cancelling it)."""
    got = await signed_in(request, "organizer", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    if not UUID_RE.match(fair_id):
        return error_page(request, 404, "error.not_found", me=me)
    form = await read_form(request)
    body = fair_body(form, await read_list(request, "fair_leagues"))
    # PATCH: an empty venue or link is left as it is (one of them is needed anyway).
    body = {k: v for k, v in body.items() if v is not None}
    body.setdefault("requests_close_at", None)
    lang = lang_of(request)
    return await submit(
        request,
        api,
        f"/api/v1/fairs/{fair_id}",
        body,
        method="PATCH",
        form=form,
        done=f"/organizer/fairs/{fair_id}",
        again=lambda refused: _fair_desk(request, api, me, fair_id, refused=refused, failed="edit"),
        errors_of=lambda answer: fair_errors(lang, answer, form),
    )


async def _act(request: Request, fair_id: str, path: str, body: Any, row: str, anchor: str) -> Response:
    """One button (publish, validate, solve, held...): back to the fair, or the fair with the
    refusal as a sentence next to the button's row."""
    got = await signed_in(request, "organizer", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    if not UUID_RE.match(fair_id):
        return error_page(request, 404, "error.not_found", me=me)
    lang = lang_of(request)
    return await submit(
        request,
        api,
        f"/api/v1/fairs/{fair_id}{path}",
        body,
        row=row,
        done=f"/organizer/fairs/{fair_id}#{anchor}",
        again=lambda refused: _fair_desk(request, api, me, fair_id, refused=refused),
        errors_of=lambda answer: api_errors(
            lang, answer, {}, by_status={404: "error.not_found"}, rules=ACTION_RULES
        ),
    )


@router.post("/organizer/fairs/{fair_id}/schedule")
async def solve(fair_id: str, request: Request) -> Response:
    """A preliminary schedule (requests may still be pending), or the final one (agendas go out)."""
    form = await read_form(request)
    return await _act(
        request, fair_id, "/schedule", {"final": form.get("final") == "1"}, "schedule", "schedule"
    )


@router.post("/organizer/fairs/{fair_id}/registrations/{registration_id}/{action}")
async def registration_action(fair_id: str, registration_id: str, action: str, request: Request) -> Response:
    """Validate, reject, or check a participant in at the desk."""
    if action not in ("validate", "reject", "check-in") or not UUID_RE.match(registration_id):
        return error_page(request, 404, "error.not_found")
    base = f"/registrations/{registration_id}"
    if action == "check-in":
        return await _act(request, fair_id, f"{base}/check-in", {}, registration_id, "registrations")
    body = {"approve": action == "validate"}
    return await _act(request, fair_id, f"{base}/decision", body, registration_id, "registrations")


@router.post("/organizer/fairs/{fair_id}/meetings/{meeting_id}/outcome")
async def meeting_outcome(fair_id: str, meeting_id: str, request: Request) -> Response:
    """The meeting took place, or one side did not come."""
    if not UUID_RE.match(meeting_id):
        return error_page(request, 404, "error.not_found")
    form = await read_form(request)
    body = {"held": form.get("held") == "1"}
    return await _act(request, fair_id, f"/meetings/{meeting_id}/outcome", body, meeting_id, "meetings")


@router.post("/organizer/fairs/{fair_id}/meetings/{meeting_id}/intention")
async def meeting_intention(fair_id: str, meeting_id: str, request: Request) -> Response:
    """A signed financing intention (签约意向) with its amount."""
    got = await signed_in(request, "organizer", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    if not (UUID_RE.match(fair_id) and UUID_RE.match(meeting_id)):
        return error_page(request, 404, "error.not_found", me=me)
    form = await read_form(request)
    lang = lang_of(request)
    return await submit(
        request,
        api,
        f"/api/v1/fairs/{fair_id}/meetings/{meeting_id}/intention",
        {"amount": form.get("fair_intention_amount", "")},
        form=form,
        done=f"/organizer/fairs/{fair_id}#meetings",
        again=lambda refused: _fair_desk(
            request, api, me, fair_id, refused=refused, failed=f"intention-{meeting_id}"
        ),
        errors_of=lambda answer: api_errors(lang, answer, INTENTION_NAMES, rules=ACTION_RULES),
    )


@router.get("/organizer/fairs/{fair_id}/agenda/{registration_id}")
async def agenda(fair_id: str, registration_id: str, request: Request) -> Response:
    """One participant's agenda, in local time."""
    got = await signed_in(request, "organizer")
    if isinstance(got, Response):
        return got
    api, me = got
    if not (UUID_RE.match(fair_id) and UUID_RE.match(registration_id)):
        return error_page(request, 404, "error.not_found", me=me)
    a = await api.get(f"/api/v1/fairs/{fair_id}/agenda", registration_id=registration_id)
    if not a.ok:
        return refusal_page(request, a, me=me)
    return render(request, "organizer/agenda.html", me=me, a=a.body, fair_id=fair_id, local=local)


@router.get("/organizer/fairs/{fair_id}/report.csv")
async def report_csv(fair_id: str, request: Request) -> Response:
    """The fair's report, one line per meeting, for a spreadsheet."""
    got = await signed_in(request, "organizer")
    if isinstance(got, Response):
        return got
    api, me = got
    if not UUID_RE.match(fair_id):
        return error_page(request, 404, "error.not_found", me=me)
    r = await api.get(f"/api/v1/fairs/{fair_id}/report")
    if not r.ok:
        return refusal_page(request, r, me=me)
    out = io.StringIO()
    writer = csv.writer(out)
    lines = r.body.get("meetings", [])
    columns = sorted({k for line in lines for k in line}) if lines else []
    writer.writerow(columns)
    for line in lines:
        writer.writerow([line.get(c, "") for c in columns])
    return Response(
        "\ufeff" + out.getvalue(),  # BOM so spreadsheet programs read it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="fair-{fair_id}.csv"'},
    )


# Last: the generic path must not shadow /schedule, /edit and the others above.
@router.post("/organizer/fairs/{fair_id}/{action}")
async def fair_action(fair_id: str, action: str, request: Request) -> Response:
    """Publish, cancel, close as held, invite from live matches, or close the request window."""
    if action not in FAIR_ACTIONS:
        return error_page(request, 404, "error.not_found")
    path = "/invitations" if action == "invite" else f"/{action}"
    anchor = "invitations" if action == "invite" else "schedule" if action == "close-requests" else "top"
    return await _act(
        request, fair_id, path, {}, "schedule" if action == "close-requests" else "fair", anchor
    )
