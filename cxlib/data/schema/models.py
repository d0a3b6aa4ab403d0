"""Every key of ``cx.yml``, declared once: its type, default, allowed values and a one-line doc.

``docs/config.md`` and ``docs/cx.schema.json`` are generated from these declarations
(``python -m cxlib.data.schema``); :func:`cxlib.data.load_config` validates a config against them and then
checks what ties keys together (a journey that is a configured segment, shares summing to 1, ...).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model, model_validator

from ...metrics import METRICS

from ._types import (LANGUAGES, CacheDir, Codes, ColumnList, ColumnName, DateText, Encoding, FilePath, FolderPath, MemorySize, Name, NameMap,
                     Number, Sheet, StrftimeFormat, Text, TimeZone, Whole)

__all__ = ["SCORES", "AccountsColumns", "AccountsSection", "Comments", "Config", "Dates", "Engines", "FollowUp",
           "Money", "RakingWeighting", "Report", "ResponsesColumns", "ResponsesSection", "ScaleSpec", "Scales",
           "Targets", "TicketsColumns", "TicketsSection", "WeightColumn", "columns_model", "key", "primary_doc",
           "scales_model", "targets_model"]

#: The scores a survey can carry (the metric registry's built-in scores, declared in :mod:`cxlib.metrics`), in
#: the order the report picks its primary score from (first present).
SCORES = tuple(METRICS)
Score = Literal[SCORES]


def key(default: Any = ..., doc: str = "", **kw) -> Any:
    """One key's declaration: its default (``...``: required) and its one-line doc."""
    if "default_factory" in kw:
        return Field(description=doc, **kw)
    return Field(default, description=doc, **kw)


class Section(BaseModel):
    """A mapping in the config: unknown keys refused, values never coerced; an empty section is absent."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)
    #: How the section is written, for "must be a mapping such as ..." messages.
    example: ClassVar[str] = "a mapping"

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data):
        return {} if data is None else data


def _score_keys(declare) -> dict:
    """One key per registered score, ``declare(metric) -> (type, declaration)``: the scores are declared once,
    in the metric registry (:mod:`cxlib.metrics`)."""
    return {m.name: declare(m) for m in METRICS.values()}


def _column(doc: str):
    return (Optional[ColumnName], key(None, doc))


def columns_model() -> type[Section]:
    """``responses.columns`` with one key per score registered now (see :mod:`._registry`)."""
    model = create_model(
        "ResponsesColumns", __base__=Section, __module__=__name__,
        __doc__="Canonical response columns: name in the workbook -> column in your file (docs/data-contract.md).",
        response_id=_column("Unique id of the response."),
        customer_id=_column("Customer id (links to tickets and accounts)."),
        responded_at=_column("When the answer was given; without it the report is one wave."),
        **_score_keys(lambda m: _column(m.doc or f"{m.label}.")),
        comment=_column("Free-text comment."),
        ticket_id=_column("Support ticket the response is about."),
        weight=_column("Survey weight that came with the export."))
    model.example = "a mapping of canonical name: column, such as {nps: LTR}"
    return model


ResponsesColumns = columns_model()


class TicketsColumns(Section):
    """Canonical ticket columns."""
    example = "a mapping of canonical name: column, such as {ticket_id: TicketRef}"
    ticket_id: Optional[ColumnName] = key(None, "Unique id of the ticket.")
    customer_id: Optional[ColumnName] = key(None, "Customer id.")
    opened_at: Optional[ColumnName] = key(None, "When the ticket was opened.")
    resolved_at: Optional[ColumnName] = key(None, "When it was resolved (blank: still open).")
    handoffs: Optional[ColumnName] = key(None, "Times it passed between agents or teams.")
    first_contact_resolution: Optional[ColumnName] = key(None, "Resolved at first contact (yes/no).")
    channel: Optional[ColumnName] = key(None, "Channel of the ticket.")


class AccountsColumns(Section):
    """Canonical account columns."""
    example = "a mapping of canonical name: column, such as {customer_id: CustomerID}"
    customer_id: Optional[ColumnName] = key(None, "Unique id of the customer.")
    region: Optional[ColumnName] = key(None, "Region of the account.")
    plan: Optional[ColumnName] = key(None, "Plan or tier.")
    signup_date: Optional[ColumnName] = key(None, "When the customer signed up.")
    annual_revenue: Optional[ColumnName] = key(None, "Annual revenue (in money.currency).")
    renewal_date: Optional[ColumnName] = key(None, "Next renewal date.")
    churned: Optional[ColumnName] = key(None, "Whether the customer left (yes/no).")
    churned_at: Optional[ColumnName] = key(None, "When the customer left.")


class Dates(Section):
    """How implausible dates of a table are treated."""
    example = "a mapping such as {drop_invalid: true}"
    floor: DateText = key(dt.date(1990, 1, 1), "Dates before this are placeholders (1970-01-01), not answers.")
    drop_invalid: bool = key(False, "true: leave implausible dates out of every month (counted) instead of "
                                    "refusing the file.")


class Table(Section):
    """A table: a file (``path``) or a table on a server (``table`` + ``connection``), and its reading options."""
    example = "a mapping with a 'path' to its data file (or a 'table')"
    path: Optional[FilePath] = key(None, "The data file (csv, csv.gz, xlsx, parquet or sav), relative to the "
                                         "config; or give 'table'.")
    table: Optional[Text("a table name such as cx.responses",
                         pattern=r"[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}")] = key(
        None, "A table on a server (schema.table), instead of 'path'.")
    connection: Optional[Text("env:VARIABLE naming the environment variable that holds the server URL "
                              "(credentials never go in the config)", pattern=r"env:[A-Za-z_][A-Za-z0-9_]*",
                              secret=True)] = key(
        None, "With 'table': env:VARIABLE, the environment variable holding the server URL.")
    engine: Literal["auto", "pandas", "duckdb"] = key("auto", "Who reads a file: auto (DuckDB from "
                                                              "engines.large_file_mb up), pandas or duckdb.")
    missing_codes: NameMap(Codes, "a mapping of column: [codes]") = key(
        {}, "Codes meaning no answer, per column: {Q8: [98, 99]}.")
    dates: Dates = key(default_factory=Dates, doc="Implausible dates.")
    sheet: Optional[Sheet] = key(None, "Excel sheet (name or 0-based number).")
    format: Literal["auto", "plain", "qualtrics"] = key("auto", "CSV layout: auto-detected, plain, or qualtrics "
                                                               "(two extra header rows).")
    date_format: Optional[StrftimeFormat] = key(None, "strftime format of the dates, e.g. '%d/%m/%Y %H:%M'.")
    dayfirst: Optional[bool] = key(None, "Dates are day first (detected when a value decides it).")
    encoding: Optional[Encoding] = key(None, "Text encoding (detected: UTF-8/UTF-16; else e.g. cp1252).")
    delimiter: Optional[Literal[",", ";", "\t", "|"]] = key(None, "Field delimiter (detected); 'tab' or '\\t' "
                                                                  "for a tab.")
    decimal: Optional[Literal[".", ","]] = key(None, "Decimal mark of numbers.")

    @model_validator(mode="before")
    @classmethod
    def _tab(cls, data):
        if isinstance(data, dict) and data.get("delimiter") in ("\\t", "tab"):
            data = {**data, "delimiter": "\t"}
        return data


class ScaleSpec(Section):
    """A rating scale: its end points and direction."""
    example = "a mapping such as {min: 1, max: 5}"
    min: Whole() = key(..., "Lowest point.")
    max: Whole() = key(..., "Highest point.")
    higher_is_better: bool = key(True, "false for a scale where the lowest point is best.")
    top_box: Optional[Whole(ge=1)] = key(None, "How many best points are the top box (default 2; 3 for ces).")


def _default_scale(m):
    """A score's scale key: its registered default scale, or none where the config must give it (a rating) or
    it is a yes/no answer."""
    if m.scale is None or m.scale[1] - m.scale[0] <= 1:
        doc = ("Required when responses.columns maps it." if m.scale is None else "Rarely needed: it is yes/no.")
        return (Optional[ScaleSpec], key(None, f"{m.label}. {doc}"))
    low, high, better, top = m.scale
    spec = ScaleSpec(min=low, max=high, **({"top_box": top} if top != 2 else {}),
                     **({"higher_is_better": better} if not better else {}))
    fixed = " (fixed by the definition)" if m.fixed_scale else ""
    return (ScaleSpec, key(spec, f"The {m.label} answer scale{fixed}; top box {top} point(s)."))


class _ScalesBase(Section):
    model_config = ConfigDict(extra="allow")
    example = "a mapping of score: {min, max}"
    __pydantic_extra__: dict[str, ScaleSpec] = Field(init=False)


def scales_model() -> type[Section]:
    """``responses.scales`` with one key per score registered now."""
    return create_model(
        "Scales", __base__=_ScalesBase, __module__=__name__,
        __doc__="Scales of the scores and drivers; a driver's own name gives that driver its own scale.",
        **_score_keys(_default_scale),
        drivers=(Optional[ScaleSpec], key(None, "Every driver's scale, e.g. {min: 1, max: 5}.")))


Scales = scales_model()


class ResponsesSection(Table):
    """The survey responses (required)."""
    columns: ResponsesColumns = key(default_factory=ResponsesColumns, doc="Canonical columns (map at least one "
                                                                          "score).")
    segments: NameMap(Optional[ColumnName], "a mapping of name: column") = key(
        {}, "Your segments: name in the workbook: column in your file.")
    drivers: NameMap(Optional[ColumnName], "a mapping of name: column") = key(
        {}, "Attribute ratings: name: column.")
    scales: Scales = key(default_factory=Scales, doc="Score and driver scales.")
    multi: NameMap(ColumnList, "a mapping of question: [option columns]") = key(
        {}, "Multiple-response (select all that apply) questions: name: [option columns], e.g. {reasons: [Q5_1, "
            "Q5_2]}. Each option column holds 0/1, true/false, yes/no or selected/not selected (SPSS value labels "
            "are applied first); loaded under its own name (on DuckDB and server tables too); banner rows give the "
            "% of the question's respondents selecting each option and any of them, and the drivers section the "
            "primary score of those who selected each option against the others.")


class TicketsSection(Table):
    """Support tickets (optional)."""
    columns: TicketsColumns = key(default_factory=TicketsColumns, doc="Canonical columns.")


class AccountsSection(Table):
    """Customer accounts (optional)."""
    columns: AccountsColumns = key(default_factory=AccountsColumns, doc="Canonical columns.")


def targets_model() -> type[Section]:
    """``report.targets`` with one key per score registered now."""
    model = create_model(
        "Targets", __base__=Section, __module__=__name__,
        __doc__="Score targets the report compares with (points on the score's own scale or %).",
        **_score_keys(lambda m: (Optional[Number()], key(None, f"{m.label} target."))))
    model.example = "a mapping of score: target, such as {nps: 20, csat: 80}"
    return model


Targets = targets_model()


def primary_doc() -> str:
    """``report.primary``'s doc, naming the scores registered now."""
    return f"The score the story is told in (default: the first mapped of {', '.join(METRICS)})."


class Report(Section):
    """How the monthly report reads the data."""
    example = "a mapping (e.g. report: {primary: nps})"
    primary: Optional[Score] = key(None, primary_doc())
    journey: Optional[Name] = key(None, "The segment that is the journey stage.")
    max_segment_values: Whole(ge=2) = key(12, "Values shown per segment before the rest are pooled.")
    scenario_lift: Optional[Number(gt=0)] = key(None, "Rating points of the what-if scenario.")
    chromium: Optional[FilePath] = key(None, "Chromium executable for the PDF.")
    experiment: Optional[Name] = key(None, "The segment holding an A/B experiment's arms: the report reads it out "
                                           "over every month it ran.")
    targets: Targets = key(default_factory=Targets, doc="Score targets, e.g. {nps: 20, csat: 80}.")
    pptx_template: Optional[FilePath] = key(None, "PowerPoint template, relative to the config.")
    rolling: Optional[Whole(ge=2)] = key(None, "Months in a rolling window: the trend chart shows the primary score "
                                               "in rolling windows of this many months, for monthly bases too "
                                               "small to read alone (changes tested with the shared respondents).")
    option_drivers: Optional[list[Name]] = key(
        None, "The multiple-response questions (responses.multi) read as drivers of the primary score; none: "
              "every one; []: none (profile questions such as ethnicity belong in the banner only).")
    url: Optional[str] = key(None, "Where the reports folder is served (the e-mail digest links to the full "
                                   "report there), e.g. https://intranet/cx-reports.")


class Money(Section):
    """Money amounts."""
    example = "a mapping such as money: {currency: EUR}"
    currency: Optional[Text("a three-letter ISO 4217 code such as EUR", pattern="[A-Z]{3}")] = key(
        None, "Currency of amounts (ISO 4217, e.g. EUR); none: plain numbers.")


class Comments(Section):
    """Comment analysis."""
    example = "a mapping (e.g. comments: {sentiment_model: model.json})"
    sentiment_model: Optional[FilePath] = key(None, "A learned sentiment model file replacing VADER.")
    brand_words: list[Text("a word")] = key([], "Words that never name a discovered theme.")
    label_language: Optional[Literal[LANGUAGES]] = key(
        "en", "Language of discovered themes' labels: other languages' key phrases mapped to it; none: each "
              "language in its own words.")


class FollowUp(Section):
    """The CX team's follow-up CSV."""
    example = "a mapping (e.g. follow_up: {raw_comments: false})"
    raw_comments: bool = key(False, "true: unredacted comments in the follow-up CSV.")


class Engines(Section):
    """Embedded DuckDB and server tables."""
    example = "a mapping such as {memory_limit: 1GB}"
    memory_limit: MemorySize = key("1.5GB", "DuckDB's memory limit.")
    temp_directory: Optional[FolderPath] = key(None, "Where DuckDB spills (default: the system's temp folder).")
    threads: Optional[Whole(ge=1)] = key(None, "DuckDB threads (default: all cores).")
    large_file_mb: Number(gt=0) = key(200, "Files this large (MB) or more are read by DuckDB under engine: auto.")
    check_unique_ids: bool = key(True, "Check that ids are unique at load (one COUNT DISTINCT).")
    report_months: Whole(ge=1) = key(24, "Months of rows the report pulls from a table.")
    max_rows: Whole(ge=1) = key(20_000_000, "Most rows the report pulls (beyond: refused, with the count).")
    churn_sample: Whole(ge=100) = key(50_000, "Most customers the churn model and its what-if scenario read when "
                                      "the responses are a table (a seeded random sample, stated in About).")
    comment_sample: Whole(ge=100) = key(20_000, "Most comments of the report month that themes, topics, quotes "
                                        "and languages read when the responses are a table (a fixed sample "
                                        "spread over the month by a hash of the response id, stated in About).")
    follow_up_max: Whole(ge=100) = key(100_000, "Most customers the follow-up list holds when the responses "
                                       "are a table (the highest expected revenue loss first; stated).")
    memory_budget: MemorySize = key("2.5GB", "Most memory a report run may take, summed over its processes "
                                    "(runner, kernel, embedded DuckDB): a run that would need more is refused "
                                    "before its kernel starts, or stopped with a message when it reaches it; "
                                    "DuckDB gets at most an eighth of it.")


class WeightColumn(Section):
    """A weight that came with the export."""
    example = "{column: weight}"
    column: Name = key(..., "The canonical column holding the weight (mapped under responses.columns).")


class RakingWeighting(Section):
    """Population shares to rake the responses to."""
    example = "{targets: {segment: {category: share}}, cap: 5}"
    targets: NameMap(NameMap(Number(ge=0), "a mapping of category: share"), "a mapping of segment: "
                     "{category: share}") = key(..., "segment -> category -> population share (summing to 1).")
    cap: Optional[Number(gt=1)] = key(None, "Largest weight allowed.")


def _weighting_kind(value):
    """Which form a ``weighting:`` mapping is: by its key, or (a typo'd key) by the closest one."""
    if not isinstance(value, dict) or not value or ("column" in value and "targets" in value):
        return None
    if "column" in value or "targets" in value:
        return "column" if "column" in value else "targets"
    near = [k for k in map(str, value) if k == "cap" or difflib.get_close_matches(k, ["targets"])]
    return "targets" if near else "column"


Weighting = Annotated[Union[Annotated[WeightColumn, Tag("column")], Annotated[RakingWeighting, Tag("targets")]],
                      Discriminator(_weighting_kind, custom_error_type="cx", custom_error_message=(
                          "needs exactly one of 'column' (a weight that came with the export) or 'targets' "
                          "(population shares to rake to)"))]


class Config(Section):
    """A CX Workbook configuration (cx.yml)."""
    example = "a mapping with a 'responses' section"
    responses: ResponsesSection = key(..., "Survey responses: where they are and how columns map.")
    tickets: Optional[TicketsSection] = key(None, "Support tickets.")
    accounts: Optional[AccountsSection] = key(None, "Customer accounts.")
    codebook: Optional[FilePath] = key(None, "The comment-theme codebook (YAML), relative to the config.")
    report: Report = key(default_factory=Report, doc="How the monthly report reads the data.")
    cache_dir: CacheDir = key(
        ".cx-cache", "Cache of redacted, scored comments (default .cx-cache at the project root); null: off.")
    labels: NameMap(Text("non-empty text"), "a mapping of name: label") = key(
        {}, "How names read in the report (default: sentence case).")
    money: Money = key(default_factory=Money, doc="Money amounts.")
    comments: Comments = key(default_factory=Comments, doc="Comment analysis.")
    weighting: Optional[Weighting] = key(None, "Survey weighting: {column: weight} or {targets: ..., cap: 5}.")
    follow_up: FollowUp = key(default_factory=FollowUp, doc="The follow-up CSV.")
    engines: Engines = key(default_factory=Engines, doc="Embedded DuckDB and server tables.")
    timezone: Optional[TimeZone] = key(None, "IANA time zone to read times in (e.g. Europe/Paris); null: the "
                                             "data's own local time.")
