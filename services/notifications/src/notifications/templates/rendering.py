"""Rendering message templates: Jinja2's immutable sandbox, where every name must exist.

A template is three parts: a subject (an email's subject, an inbox item's title), a plain-text body and,
for email, an HTML body. The HTML body is autoescaped; the subject and the text are not (they are not HTML),
and the subject is one line (line breaks collapse to a space, so no header can be injected through it).

The render context is exactly four names, all plain JSON values:

* ``data``: the event's data, as its type's schema reads it (every declared field present, absent optional
  ones ``null``, dates as ISO strings);
* ``event``: ``id``, ``type``, ``subject``, ``occurred_at`` (ISO 8601, UTC) and ``title`` (the type's title
  in the recipient's language);
* ``recipient``: ``sub``, ``display_name``, ``language``;
* ``app_url``: the web app's base URL, without a trailing slash.

Undefined names are errors, twice: :func:`check` refuses a template at save time (a syntax error, a name
outside the four, a ``data.<field>`` that no version of the event type has, or any failure of a trial
render against the type's samples), and :func:`render` raises :class:`TemplateRenderFailed` when the data
of a real event lacks what the template reads (the caller records it as the delivery's error).

Filters (beside Jinja's own): ``date_vi`` / ``date_en`` (``28/12/2026`` / ``28 December 2026``),
``datetime_vi`` / ``datetime_en`` (``10:15 02/12/2026`` / ``10:15, 2 December 2026``, in Vietnam's time),
``number_vi`` / ``number_en`` (``2.340.000`` / ``2,340,000``) and ``money_vi`` / ``money_en``
(``2.340.000 đồng`` / ``VND 2,340,000``). Each template is written for one language, so it names the
filters of that language.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypedDict

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context as JinjaContext
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from pydantic import ValidationError

from notifications.events.schemas import EVENT_TYPES, EventType
from shared.clock import VIETNAM
from shared.problems import UnprocessableContent

CONTEXT_NAMES: Final = frozenset({"data", "event", "recipient", "app_url"})
LANGUAGES: Final = ("vi", "en")
# Compiled templates kept per template version (a version never changes, so its compiled form never does).
CACHE_SIZE: Final = 512
# What one `*` may build (characters of a string, items of a list) and the largest exponent of `**`: the
# sandbox keeps a template from the host's objects, these keep one from the host's memory.
MAX_REPEAT: Final = 10_000
MAX_EXPONENT: Final = 64
_TEMPLATE_FILE: Final = "<template>"  # Jinja's file name for a template made from a string

MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class TemplateInvalid(UnprocessableContent):
    slug = "template-invalid"
    title = "The template is not valid"


class TemplateRenderFailed(UnprocessableContent):
    slug = "template-render-failed"
    title = "The template cannot be rendered with this event"


class EventContext(TypedDict):
    id: str
    type: str
    subject: str
    occurred_at: str
    title: str


class RecipientContext(TypedDict):
    sub: str
    display_name: str
    language: str


class Context(TypedDict):
    data: dict[str, Any]
    event: EventContext
    recipient: RecipientContext
    app_url: str


@dataclass(frozen=True, slots=True)
class Source:
    """A template's text; ``id`` is the template version it is (compiled once per id), None for a draft."""

    subject: str
    text_body: str
    html_body: str | None = None
    id: int | None = None

    def parts(self) -> Iterator[tuple[str, str]]:
        yield "subject", self.subject
        yield "text_body", self.text_body
        if self.html_body is not None:
            yield "html_body", self.html_body


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str | None


@dataclass(frozen=True, slots=True)
class _Fault:
    part: str
    line: int | None
    message: str
    kind: str

    def error(self) -> dict[str, Any]:
        return {
            "location": f"body.{self.part}",
            "message": self.message,
            "type": self.kind,
            "line": self.line,
        }

    def __str__(self) -> str:
        where = self.part if self.line is None else f"{self.part}, line {self.line}"
        return f"{where}: {self.message}"


# --- filters -------------------------------------------------------------------------------------------


def _moment(value: Any, name: str) -> dt.datetime:
    """An instant in Vietnam's time; a naive one is UTC (the platform stores UTC)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not an ISO 8601 date and time") from None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} takes a date and time, not {type(value).__name__}")
    moment: dt.datetime = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM)


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return _moment(value, name).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return _moment(value, name).date()
    raise TypeError(f"{name} takes a date, not {type(value).__name__}")


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} takes a whole number, not {type(value).__name__}")
    return value


def date_vi(value: Any) -> str:
    day = _date(value, "date_vi")
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def date_en(value: Any) -> str:
    day = _date(value, "date_en")
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def datetime_vi(value: Any) -> str:
    moment = _moment(value, "datetime_vi")
    return f"{moment:%H:%M} {date_vi(moment)}"


def datetime_en(value: Any) -> str:
    moment = _moment(value, "datetime_en")
    return f"{moment:%H:%M}, {date_en(moment)}"


def _grouped(value: Any, name: str, separator: str) -> str:
    return f"{_whole(value, name):,}".replace(",", separator)


def number_vi(value: Any) -> str:
    return _grouped(value, "number_vi", ".")


def number_en(value: Any) -> str:
    return _grouped(value, "number_en", ",")


def money_vi(value: Any) -> str:
    return f"{_grouped(value, 'money_vi', '.')} đồng"


def money_en(value: Any) -> str:
    return f"VND {_grouped(value, 'money_en', ',')}"


FILTERS: Final[Mapping[str, Callable[[Any], str]]] = {
    "date_vi": date_vi,
    "date_en": date_en,
    "datetime_vi": datetime_vi,
    "datetime_en": datetime_en,
    "number_vi": number_vi,
    "number_en": number_en,
    "money_vi": money_vi,
    "money_en": money_en,
}


# --- the environment -----------------------------------------------------------------------------------


class _Undefined(StrictUndefined):
    """StrictUndefined that names the missing field and those the object has, for the editor's sake."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return f"{self._undefined_name!r} is undefined"
        if isinstance(self._undefined_obj, dict):
            fields = ", ".join(sorted(str(key) for key in self._undefined_obj)) or "none"
            return f"no field {self._undefined_name!r} (the fields here: {fields})"
        return f"a {type(self._undefined_obj).__name__} value has no {self._undefined_name!r}"


def _no_none(value: Any) -> Any:
    """An absent optional field prints as nothing, never as "None"."""
    return "" if value is None else value


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def getattr(self, obj: Any, attribute: str) -> Any | Undefined:
        # `data.items` is the event's field, not dict.items: a template reads an object's fields by name.
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: JinjaContext, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed in a template")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | list | tuple)
                    and isinstance(times, int)
                    and len(sequence) * times > MAX_REPEAT
                ):
                    raise SecurityError(f"a repetition longer than {MAX_REPEAT} is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def _environment(*, html: bool) -> _Sandbox:
    environment = _Sandbox(
        undefined=_Undefined,
        autoescape=html,
        finalize=_no_none,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # The context is the four names and nothing else (no `range`, `lipsum`, `dict` …): what a template may
    # read is what :func:`check` allows.
    environment.globals.clear()
    environment.filters.update(FILTERS)
    return environment


_PLAIN: Final = _environment(html=False)
_HTML: Final = _environment(html=True)


def _environment_of(part: str) -> _Sandbox:
    return _HTML if part == "html_body" else _PLAIN


# --- compiling and rendering ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    template: Template
    # Reads ``recipient``: rendered for each person. A part that does not (most subjects, some bodies) comes
    # out the same for everyone an event reaches in a language, and is rendered once (see :func:`render`).
    personal: bool


@dataclass(frozen=True, slots=True)
class _Compiled:
    parts: tuple[_Part, ...]


class _Cache:
    """Compiled templates by template version id, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[int, _Compiled] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_id: int) -> _Compiled | None:
        with self._lock:
            compiled = self._entries.get(version_id)
            if compiled is not None:
                self._entries.move_to_end(version_id)
            return compiled

    def put(self, version_id: int, compiled: _Compiled) -> None:
        with self._lock:
            self._entries[version_id] = compiled
            self._entries.move_to_end(version_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_cache = _Cache(CACHE_SIZE)


def _syntax_fault(part: str, exc: TemplateSyntaxError) -> _Fault:
    return _Fault(part, exc.lineno, exc.message or str(exc), "template_syntax")


def _compile(source: Source) -> _Compiled:
    compiled = []
    for part, text in source.parts():
        environment = _environment_of(part)
        try:
            ast = environment.parse(text)
        except TemplateSyntaxError as exc:
            raise TemplateInvalid(str(fault := _syntax_fault(part, exc)), errors=[fault.error()]) from None
        # The context's names are the only way in (globals are cleared, no filter sees the context), so a
        # part that never names `recipient` cannot depend on who reads it.
        personal = "recipient" in meta.find_undeclared_variables(ast)
        compiled.append(_Part(part, environment.from_string(ast), personal))
    return _Compiled(tuple(compiled))


def _compiled(source: Source) -> _Compiled:
    if source.id is None:
        return _compile(source)
    compiled = _cache.get(source.id)
    if compiled is None:
        compiled = _compile(source)
        _cache.put(source.id, compiled)
    return compiled


def _template_line(exc: BaseException) -> int | None:
    """The template's line where rendering failed (Jinja rewrites the traceback to the template's lines)."""
    lines = [
        frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == _TEMPLATE_FILE
    ]
    return lines[-1] if lines else None


# A template is code its editors wrote: whatever goes wrong while it runs is the template's failure, named
# with its line, never a crash of the worker that renders it.
_RENDER_ERRORS = (
    TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
    RecursionError,
)


def _single_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _render(compiled: _Compiled, context: Context, shared: dict[str, str] | None = None) -> Rendered:
    values: dict[str, Any] = dict(context)
    out: dict[str, str] = {}
    for part in compiled.parts:
        name = part.name
        if shared is not None and not part.personal and name in shared:
            out[name] = shared[name]
            continue
        try:
            out[name] = part.template.render(values)
        except _RENDER_ERRORS as exc:
            kind = "template_unsafe" if isinstance(exc, SecurityError) else "template_render"
            fault = _Fault(name, _template_line(exc), str(exc) or type(exc).__name__, kind)
            raise TemplateRenderFailed(str(fault), errors=[fault.error()]) from exc
        if shared is not None and not part.personal:
            shared[name] = out[name]
    html = out.get("html_body")
    return Rendered(
        subject=_single_line(out["subject"]),
        text=out["text_body"].strip(),
        html=html.strip() if html is not None else None,
    )


def render(source: Source, context: Context, shared: dict[str, str] | None = None) -> Rendered:
    """The message a template makes with one event for one recipient.

    ``shared``: for rendering one event for many people, a dict kept per template version across them; the
    parts that do not read ``recipient`` are rendered for the first and taken from it for the others.

    Raises :class:`TemplateRenderFailed` (naming the part, the line and what was missing) when the template
    reads something the context does not have, or fails otherwise while running.
    """
    return _render(_compiled(source), context, shared)


# --- the context ---------------------------------------------------------------------------------------


def _versions(event_type: str) -> list[EventType]:
    return sorted((t for (name, _), t in EVENT_TYPES.items() if name == event_type), key=lambda t: t.version)


def title_of(event_type: str, version: int, language: str) -> str:
    """The type's title in the language (English or Vietnamese, the default); the type itself if unknown."""
    known = EVENT_TYPES.get((event_type, version)) or next(iter(reversed(_versions(event_type))), None)
    if known is None:
        return event_type
    return known.title_en if language == "en" else known.title_vi


def _data(event_type: str, version: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as the type's schema reads it, as JSON: absent optional fields are there, as null."""
    known = EVENT_TYPES.get((event_type, version))
    if known is None:
        return dict(data)
    try:
        normalized: dict[str, Any] = known.schema.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "data"
        fault = _Fault("data", None, f"{where}: {first['msg']}", "event_data")
        raise TemplateRenderFailed(
            f"The event's data does not match {event_type} version {version}: {fault.message}",
            errors=[fault.error()],
        ) from None
    return normalized


def make_context(
    *,
    event_id: uuid.UUID | str,
    event_type: str,
    event_version: int,
    subject: str,
    occurred_at: dt.datetime,
    data: Mapping[str, Any],
    recipient: RecipientContext,
    app_url: str,
) -> Context:
    """The render context of one event for one recipient (see the module's docstring)."""
    return Context(
        data=_data(event_type, event_version, data),
        event=EventContext(
            id=str(event_id),
            type=event_type,
            subject=subject,
            occurred_at=occurred_at.astimezone(dt.UTC).isoformat(),
            title=title_of(event_type, event_version, recipient["language"]),
        ),
        recipient=RecipientContext(
            sub=recipient["sub"], display_name=recipient["display_name"], language=recipient["language"]
        ),
        app_url=app_url.rstrip("/"),
    )


# What a preview and the save-time check render with: the type's sample, for a made-up person.
SAMPLE_EVENT_ID: Final = uuid.UUID("5a3f0c1e-7b2d-4e8a-9c61-0d4b2f7e8a90")
SAMPLE_OCCURRED_AT: Final = dt.datetime(2026, 12, 2, 3, 15, tzinfo=dt.UTC)
SAMPLE_APP_URL: Final = "https://thiduakhenthuong.hatinh.gov.vn"
SAMPLE_RECIPIENTS: Final[Mapping[str, RecipientContext]] = {
    "vi": RecipientContext(sub="sample-recipient", display_name="Nguyễn Thị Lan", language="vi"),
    "en": RecipientContext(sub="sample-recipient", display_name="Nguyen Thi Lan", language="en"),
}


def sample_context(
    event_type: EventType, language: str, data: Mapping[str, Any] | None = None, app_url: str = SAMPLE_APP_URL
) -> Context:
    """The context of the type's sample event (or of ``data``) for the sample recipient in ``language``."""
    return make_context(
        event_id=SAMPLE_EVENT_ID,
        event_type=event_type.name,
        event_version=event_type.version,
        subject=f"{event_type.name.split('.', 1)[0]}/sample",
        occurred_at=SAMPLE_OCCURRED_AT,
        data=event_type.sample if data is None else data,
        recipient=SAMPLE_RECIPIENTS.get(language, SAMPLE_RECIPIENTS["vi"]),
        app_url=app_url,
    )


# --- the check at save time ----------------------------------------------------------------------------


def _first_line(ast: nodes.Template, name: str) -> int | None:
    return next(
        (node.lineno for node in ast.find_all(nodes.Name) if node.name == name and node.ctx == "load"), None
    )


def _unknown_names(part: str, ast: nodes.Template) -> list[_Fault]:
    allowed = ", ".join(sorted(CONTEXT_NAMES))
    return [
        _Fault(
            part,
            _first_line(ast, name),
            f"{name!r} is undefined (a template may read {allowed})",
            "template_name",
        )
        for name in sorted(meta.find_undeclared_variables(ast) - CONTEXT_NAMES)
    ]


def _data_field(node: nodes.Node) -> str | None:
    """The field a ``data.<field>`` or ``data["<field>"]`` node reads, if it is one."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "data":
        return node.attr
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and node.node.name == "data"
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.arg.value
    return None


def _unknown_fields(part: str, ast: nodes.Template, fields: frozenset[str], event_type: str) -> list[_Fault]:
    """``data.<field>`` and ``data["<field>"]`` naming a field no version of the type has, wherever it is (a
    branch the sample does not take included)."""
    if any(node.name == "data" and node.ctx != "load" for node in ast.find_all(nodes.Name)):
        return []  # the template assigns `data` itself: its own fields are its business
    faults = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        field = _data_field(node)
        if field is not None and field not in fields:
            known = ", ".join(sorted(fields))
            message = f"data.{field} is undefined: {event_type} has no field {field!r} (it has {known})"
            faults.append(_Fault(part, node.lineno, message, "template_field"))
    return faults


def check(source: Source, event_type: str) -> None:
    """Refuse a template that could fail when an event of ``event_type`` comes: raises
    :class:`TemplateInvalid`, whose detail names the part, the line and the variable.

    In order: the syntax of each part; names outside ``data``, ``event``, ``recipient`` and ``app_url``;
    fields of ``data`` that no version of the type declares; then a trial render against the sample of every
    version of the type, in both languages, so that a field of a nested object, a filter given the wrong
    value or an unsafe access (the sandbox's refusal) is found now rather than at delivery.
    """
    versions = _versions(event_type)
    if not versions:
        raise TemplateInvalid(f"{event_type!r} is not an event type.")
    fields = frozenset(name for version in versions for name in version.schema.model_fields)
    faults: list[_Fault] = []
    for part, text in source.parts():
        try:
            ast = _environment_of(part).parse(text)
        except TemplateSyntaxError as exc:
            faults.append(_syntax_fault(part, exc))
            continue
        faults += _unknown_names(part, ast)
        faults += _unknown_fields(part, ast, fields, event_type)
    if faults:
        raise TemplateInvalid(str(faults[0]), errors=[fault.error() for fault in faults])
    compiled = _compile(source)
    for version in versions:
        for language in LANGUAGES:
            try:
                _render(compiled, sample_context(version, language))
            except TemplateRenderFailed as failed:
                raise TemplateInvalid(
                    f"{failed.detail} (rendering the sample of {event_type} version {version.version},"
                    f" {language})",
                    errors=failed.extra["errors"],
                ) from None
