"""The Textual app of `lrviz explore`: a form of typed fields, the chart, key steps and check findings.

Values go through :mod:`lrviz.explore.drafts` (the Spec, built as ``lrviz plot`` builds it) and
:mod:`lrviz.explore.pipeline` (simulate, check, save, export). torch is imported by the first
simulation, in a worker thread behind a spinner, so the first frame does not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from lrviz.errors import LrvizError
from lrviz.explore.chart import COLORS, GREYS, BrailleChart, legend, series_of
from lrviz.explore.drafts import Draft, Field, YamlDraft

if TYPE_CHECKING:
    from lrviz.pipeline import Result
    from lrviz.rendering.figure import RenderOptions
    from lrviz.spec.model import Spec

# What a field's input lets through, by kind (the builders then check the value itself).
NUMBER_CHARACTERS = r"[-+0-9eE.,; ]*"
RESTRICT = {"int": NUMBER_CHARACTERS, "float": NUMBER_CHARACTERS, "int_list": NUMBER_CHARACTERS}
LEVEL_STYLES = {"warning": "bold yellow", "info": "cyan"}
LONG_RUN_STEPS = 200_000  # torch steps about 300k a second: from here a change takes a visible moment


@dataclass(frozen=True)
class ExploreSettings:
    """What the command line fixes for a session: where Ctrl+S and Ctrl+E write, and how the figure looks."""

    figure_path: Callable[[Draft], str]  # the figure `lrviz plot` would write for this draft
    render_options: Callable[[Spec], RenderOptions]  # the figure flags, applied to a spec


@dataclass(frozen=True)
class ExploreResult:
    """What quitting leaves behind: the equivalent `lrviz plot` argv, and a note when it is not exact."""

    command: list[str] | None
    note: str | None = None


class FieldInput(Input):
    """A form field: Enter applies (and the footer says so)."""

    BINDINGS = [Binding("enter", "submit", "Apply", key_display="⏎")]


class ExplorerScreen(Screen):
    """The explorer of one draft: form on the left, chart, findings and key steps on the right."""

    BINDINGS = [
        Binding("enter", "apply", "Apply", key_display="⏎"),
        Binding("tab", "app.focus_next", "Next"),
        Binding("ctrl+s", "save", "Save figure", priority=True),
        Binding("ctrl+e", "export", "Export JSON", priority=True),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),
        Binding("escape", "leave_fields", "Esc q: quit", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, draft: Draft, settings: ExploreSettings) -> None:
        super().__init__()
        self.draft = draft
        self.settings = settings
        self.outcome: Result | None = None  # the last good curves (what the chart shows)
        self.findings: list = []
        self.errors: dict[str, str] = {}  # field key -> the one-line error shown under it

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with VerticalScroll(id="form"):
                yield Static(Text(self.draft.title, style="bold"), id="scheduler")
                if isinstance(self.draft, YamlDraft) and len(labels := self.draft.entry_labels()) > 1:
                    options = [(label, index) for index, label in enumerate(labels)]
                    yield Select(options, value=self.draft.selected, allow_blank=False, compact=True, id="curve")
                yield Vertical(*self._field_rows(), id="fields")
            with Vertical(id="view"):
                yield Static("", id="legend")
                yield BrailleChart(id="chart")
                yield Static("", id="status")
                with VerticalScroll(id="details"):
                    yield Static("", id="findings")
                    yield Static("", id="tables")
        yield Footer()

    def _field_rows(self) -> list[Vertical]:
        rows = []
        for index, field in enumerate(self.draft.fields):
            rows.append(
                Vertical(
                    Horizontal(Label(field.label, classes="name"), self._input(index, field), classes="row"),
                    Static("", id=f"error-{index}", classes="error"),
                    classes="field",
                )
            )
        return rows

    def _input(self, index: int, field: Field) -> Input | Select:
        tooltip = field.help or None
        if field.kind == "choice":
            value = field.text if field.text in field.choices else Select.NULL
            options = [(choice, choice) for choice in field.choices]
            return Select(options, value=value, compact=True, id=f"field-{index}", tooltip=tooltip)
        return FieldInput(
            field.text,
            placeholder=field.placeholder,
            restrict=RESTRICT.get(field.kind),
            compact=True,
            id=f"field-{index}",
            tooltip=tooltip,
        )

    def on_mount(self) -> None:
        self.query_one("#chart", BrailleChart).loading = True
        self.query_one("#chart", BrailleChart).log_y = self._log_y()
        self._focus_first_field()
        # after the first frame: the first simulation imports torch, which holds the GIL for a while
        self.call_after_refresh(self.apply)

    def _focus_first_field(self) -> None:
        """Focus the first scheduler parameter, its text selected (typing replaces it)."""
        fields = self.query(".row Input, .row Select")
        if fields:
            first = fields.first()
            first.focus()
            if isinstance(first, Input):
                first.select_all()

    def _log_y(self) -> bool:
        try:
            return self.settings.render_options(self.draft.spec()).log_y
        except LrvizError:
            return False

    # ------------------------------------------------------------------ applying values

    def texts(self) -> dict[str, str]:
        """The text of every field, by field key."""
        texts = {}
        for index, field in enumerate(self.draft.fields):
            widget = self.query_one(f"#field-{index}")
            value = widget.value
            texts[field.key] = "" if value is Select.NULL or value is None else str(value)
        return texts

    def action_apply(self) -> None:
        """Enter: build the spec from every field and simulate it."""
        self.apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "curve":
            self._select_curve(int(event.value))
        elif self.outcome is not None:
            self.apply()

    def apply(self) -> None:
        """Build the Spec of the fields' texts; a bad value marks its field and keeps the last good curve."""
        try:
            candidate = self.draft.with_values(self.texts())
            spec = candidate.spec()
        except LrvizError as error:
            self._show_error(error)
            return
        steps = sum(curve.steps for curve in spec.curves)
        if steps >= LONG_RUN_STEPS:  # seconds of stepping: say so, the last curve stays meanwhile
            self._status(Text(f"simulating {steps:,} steps ...", style="dim"))
        self._simulate(candidate, spec)

    @work(thread=True, exclusive=True, group="simulate")
    def _simulate(self, candidate: Draft, spec: Spec) -> None:
        from lrviz.explore.pipeline import simulate_and_check

        try:
            outcome = simulate_and_check(spec)
        except LrvizError as error:  # torch refused the schedule: said like any bad value
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show_error, error)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_outcome, candidate, outcome)

    def _show_error(self, error: LrvizError) -> None:
        self._clear_errors()
        key = self.draft.field_for(error.where)
        chart = self.query_one("#chart", BrailleChart)
        chart.loading = False
        if key is None:
            self._status(Text(f"Error: {error}", style="bold red"))
            return
        index = [f.key for f in self.draft.fields].index(key)
        self.errors[key] = error.message
        self.query_one(f"#field-{index}").add_class("bad")
        self.query_one(f"#error-{index}", Static).update(Text(error.message, style="red"))
        self.query_one(f"#error-{index}", Static).add_class("shown")
        self._status(Text(f"Error: {error}", style="bold red"))

    def _clear_errors(self) -> None:
        self.errors.clear()
        for index in range(len(self.draft.fields)):
            self.query_one(f"#field-{index}").remove_class("bad")
            self.query_one(f"#error-{index}", Static).update("")
            self.query_one(f"#error-{index}", Static).remove_class("shown")
        self._status("")

    def _show_outcome(self, candidate: Draft, outcome: Result) -> None:
        self._clear_errors()
        first = self.outcome is None
        self.draft, self.outcome = candidate, outcome
        self.findings = list(outcome.findings)
        chart = self.query_one("#chart", BrailleChart)
        series = series_of(outcome.curves, GREYS if self.app.no_color else COLORS)
        chart.show(series, keep_previous=not first)
        chart.loading = False
        width = self.query_one("#legend").size.width or 40
        self.query_one("#legend", Static).update(legend(series, width, bool(chart.previous)))
        self._show_findings()
        self._show_tables()
        self._refresh_placeholders()

    def _show_findings(self) -> None:
        lines = []
        for finding in sorted(self.findings, key=lambda f: f.level != "warning"):
            style = LEVEL_STYLES[finding.level]
            lines.append(f"[{style}]{finding.level}[/] {escape(finding.where)}: {escape(finding.message)}")
            lines.append(f"  [dim]fix:[/] {escape(finding.fix)}")
        text = "\n".join(lines) if lines else "[green]no findings[/] ([dim]lrviz check[/])"
        text += "\n"  # a blank line before the key-steps table
        self.query_one("#findings", Static).update(text)

    def _show_tables(self) -> None:
        from lrviz.report.tables import curve_tables

        assert self.outcome is not None
        width = max(self.query_one("#details").size.width - 2, 40)
        # the key-steps table: its own table when narrow, the summary's last column when wide
        tables = curve_tables(self.outcome.curves, self.outcome.spec.title, width)
        self.query_one("#tables", Static).update(tables[-1])

    def _refresh_placeholders(self) -> None:
        """An empty steps field shows the length `auto` picked."""
        assert self.outcome is not None
        steps = max(curve.steps for curve in self.outcome.curves)
        for index, field in enumerate(self.draft.fields):
            if field.label == "steps":
                widget = self.query_one(f"#field-{index}", Input)
                widget.placeholder = f"auto: {steps}"

    def _status(self, message: str | Text) -> None:
        self.query_one("#status", Static).update(message)

    def _select_curve(self, index: int) -> None:
        """Another curve entry of the YAML file: its fields replace the form (the edits so far are kept)."""
        assert isinstance(self.draft, YamlDraft)
        try:
            self.draft = self.draft.with_values(self.texts()).select(index)
        except LrvizError as error:
            self._show_error(error)
            return
        fields = self.query_one("#fields", Vertical)
        fields.remove_children()
        fields.mount(*self._field_rows())
        self.call_after_refresh(self._focus_first_field)

    # ------------------------------------------------------------------ keys

    def action_save(self) -> None:
        """Ctrl+S: the figure `lrviz plot` writes for these values."""
        self._write("figure")

    def action_export(self) -> None:
        """Ctrl+E: the JSON `lrviz export` writes for these values."""
        self._write("export")

    def _write(self, what: str) -> None:
        if self.outcome is None:
            self._status(Text("nothing to write yet: no curve", style="yellow"))
            return
        figure = self.settings.figure_path(self.draft)
        path = figure if what == "figure" else str(Path(figure).with_suffix(".json"))
        self._status(Text(f"writing {path} ...", style="dim"))
        self._write_file(what, path, self.outcome)

    @work(thread=True, group="write")
    def _write_file(self, what: str, path: str, outcome: Result) -> None:
        from lrviz.explore.pipeline import export_json_file, save_figure_file

        try:
            if what == "figure":
                written = save_figure_file(outcome, path, self.settings.render_options(outcome.spec))
            else:
                written = export_json_file(outcome, path)
        except LrvizError as error:
            self.app.call_from_thread(self._status, Text(f"Error: {error}", style="bold red"))
            return
        self.app.call_from_thread(self._status, Text(f"wrote {written}", style="green"))

    def action_leave_fields(self) -> None:
        """Escape: leave the fields, so that q quits."""
        self.set_focus(None)
        self._status(Text("q quits; Tab goes back to the fields", style="dim"))

    def result(self) -> ExploreResult:
        """The `lrviz plot` command of the curves on screen (the last good values)."""
        spec = self.outcome.spec if self.outcome is not None else None
        command = self.draft.command(spec)
        if command is not None:
            return ExploreResult(command)
        assert isinstance(self.draft, YamlDraft)
        note = (
            f"the edits to {self.draft.path} are not in this command: flags cannot describe that curve entry "
            "(Ctrl+E exports the edited values)"
        )
        return ExploreResult(["lrviz", "plot", self.draft.path, *self.draft.figure_args], note)


class PickerScreen(Screen):
    """`lrviz explore` without a schedule: pick a scheduler (`lrviz list`'s rows: torch's, then the frameworks')."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", priority=True), Binding("escape", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        from lrviz.schedules import pytorch as registry

        yield Static(Text("Pick a scheduler to explore (Enter); it starts from `lrviz show`'s example.", style="bold"))
        from lrviz import schedules

        infos = list(registry.catalog().values())
        infos += [registry.framework_info(s) for family in schedules.families() for s in family.schedules]
        options = []
        for info in infos:
            params = ", ".join(p.name + ("*" if p.required else "") for p in info.params)
            row = Table.grid(padding=(0, 1), expand=True)
            row.add_column(width=27, no_wrap=True, style="bold", overflow="ellipsis")
            row.add_column(width=21, no_wrap=True, style="cyan", overflow="ellipsis")
            row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            family = "" if info.framework is None else schedules.family(info.framework.framework).title
            aliases = ", ".join(info.aliases) if info.framework is None else family
            row.add_row(info.name, aliases, ("[YAML] " if info.kind.needs_yaml else "") + params)
            options.append(Option(row, id=info.name))
        yield OptionList(*options, id="families")
        yield Static("", id="status")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from lrviz.explore.drafts import example_draft

        try:
            draft = example_draft(str(event.option.id))
        except LrvizError as error:
            self.query_one("#status", Static).update(Text(f"Error: {error}", style="bold red"))
            return
        self.dismiss(draft)


class ExplorerApp(App[ExploreResult]):
    """`lrviz explore`: the explorer of `draft`, or the family picker first when there is none."""

    TITLE = "lrviz explore"
    CSS_PATH = "explore.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, draft: Draft | None, settings: ExploreSettings) -> None:
        super().__init__()
        self.draft = draft
        self.settings = settings

    def on_mount(self) -> None:
        if self.draft is None:
            self.push_screen(PickerScreen(), callback=self._picked)
        else:
            self.push_screen(ExplorerScreen(self.draft, self.settings))

    def _picked(self, draft: Any) -> None:
        self.push_screen(ExplorerScreen(draft, self.settings))

    @property
    def explorer(self) -> ExplorerScreen:
        """The explorer screen (tests and the quit action read it)."""
        screen = self.screen
        assert isinstance(screen, ExplorerScreen)
        return screen

    async def action_quit(self) -> None:
        """Ctrl+Q (or Escape, q): leave, with the equivalent `lrviz plot` command as the result."""
        screen = self.screen
        self.exit(screen.result() if isinstance(screen, ExplorerScreen) else ExploreResult(None))
