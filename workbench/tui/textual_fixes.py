"""Every place the workbench works around Textual's own behaviour, in one module.

Each fix says which Textual it was checked against (8.2.8, the version pinned in pyproject.toml) and what
breaks without it, so that a Textual upgrade is one file to re-check: delete a fix, run the tests named in
its docstring, and keep it only if they fail. `tests/test_tui_panes.py` fails when the installed Textual
is not CHECKED_WITH.

A few choices elsewhere rest on how Textual 8.2.8 behaves without working around it; they say so where
they are made: ScenarioView.apply_half (a half's `display`, not a CSS class: a class change restyles the
whole tab), ScenarioView._tab_activated (TabbedContent announces its initial tab while mounting),
ScenarioView.close_editor (focus the grid before hiding the editor), WorkbenchApp._add_tab
(TabbedContent brings forward the tab of a focused widget) and WorkbenchApp.on_resize (FixedApp).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rich.highlighter import Highlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.cache import LRUCache
from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer

from workbench.model.fmt import shown

if TYPE_CHECKING:
    from textual.css.styles import RenderStyles
    from textual.geometry import Region
    from textual.strip import Strip

CHECKED_WITH = "8.2.8"

ResultType = TypeVar("ResultType")

if TYPE_CHECKING:
    _ScreenMixin = Screen  # what a DismissOnce is mixed into
else:
    _ScreenMixin = object


# --- screens and the app ---------------------------------------------------------------------------------
class DismissOnce(_ScreenMixin):
    """A screen that is dismissed once, and only while it is the one in front (checked with Textual 8.2.8).

    Textual's `Screen.dismiss` calls the result callback, then pops whatever screen is on top. Keys that
    arrive in one burst (a paste, a fast typist over SSH) queue a second answer before the first one has
    closed the dialog: Enter twice on a picker's option, Escape and Enter. The second dismiss then either
    pops the screen below (another dialog, whose own answer is lost and whose worker waits for ever), or,
    when a screen opened over the dialog in the same burst (the command palette), calls the dialog's
    callback again, whose future is already set: `InvalidStateError: invalid state`, and the app ended.
    Here the first answer wins and later ones are dropped; an answer reaching a dialog that is not in
    front (the palette opened over it) is dropped too, and the dialog stays for the user to answer again.
    `closed` tells a dialog's late work (a thread that loads a catalog) that there is no dialog to fill.
    tests/test_key_bursts.py (a real terminal) and tests/test_dialogs_once.py (the pilot) fail without it.

    A mixin, not a Screen subclass, put before the Textual class it fixes: Textual takes a widget's CSS,
    type names and component classes from the first widget class among its bases.
    """

    dismissed = False

    @property
    def closed(self) -> bool:
        return self.dismissed or not self.is_attached

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.dismissed or not self.is_active:
            return AwaitComplete.nothing()
        self.dismissed = True
        return super().dismiss(result)


class Dialog(DismissOnce, ModalScreen[ResultType]):
    """The base of every workbench dialog (workbench.tui.screens): a modal screen dismissed once."""


class QuietFocusScreen(Screen):
    """A screen that does not repaint itself whole when the focus moves (checked with Textual 8.2.8).

    `Screen.focused` is a repainting reactive, and every committed edit moves the focus from the edit bar
    back to the grid: without this, the frame after an edit rendered every widget of the tab (about 50 ms
    at 120x40, three data tables among them) instead of what changed. The widgets that gain or lose the
    focus repaint themselves anyway (their `has_focus` reactive and focus styles).
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


class SafeCommandPalette(DismissOnce, CommandPalette):
    """The command palette, hardened against keys typed faster than it opens and closes (Textual 8.2.8).

    The palette's search worker can finish after Esc has already removed the list it writes to; the
    worker then raises NoMatches and the whole app exits. The key fuzz test (tests/test_fuzz_keys.py)
    found it with `ctrl+p`, a letter and Esc arriving within a few milliseconds, which a paste or a fast
    typist over SSH delivers; and page down in the list before its first layout raised KeyError. It is
    dismissed once (DismissOnce): Enter and Esc in one burst closed it, then the dialog under it.
    """

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await inspect.unwrap(CommandPalette._gather_commands)(self, search_value)
        except NoMatches:
            pass  # the palette closed while it searched: there is no list left to fill

    def _refresh_command_list(self, *args: Any, **kwargs: Any) -> None:
        try:
            super()._refresh_command_list(*args, **kwargs)
        except NoMatches:
            pass  # the palette closed while it searched: there is no list left to fill

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            pass  # page up/down reached the list before its first layout

    def _watch__list_visible(self) -> None:
        try:
            super()._watch__list_visible()
        except NoMatches:
            pass

    async def _watch__show_busy(self) -> None:
        try:
            await super()._watch__show_busy()
        except NoMatches:
            pass


class FixedApp(App):
    """The App's own fixes (checked with Textual 8.2.8).

    - the default screen is a `QuietFocusScreen`;
    - ctrl+p opens a `SafeCommandPalette`;
    - the last screen is never popped: keys typed faster than a dialog closes can close it twice (the
      command palette runs a delayed selection after Esc closed it), and popping the last screen ends
      the app with an exception (tests/test_fuzz_keys.py).

    On a Resize event the App's `size` still holds the old size: handlers read `event.size`.
    """

    def get_default_screen(self) -> Screen:
        return QuietFocusScreen(id="_default")

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def pop_screen(self) -> AwaitComplete:
        if len(self._screen_stack) <= 1:
            return AwaitComplete.nothing()
        return super().pop_screen()


# --- keys ----------------------------------------------------------------------------------------------------
async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run the widget's own (non-priority) binding for a key now, in the order the keys arrived; True if
    one ran (checked with Textual 8.2.8).

    Left to Textual, a binding runs once the key has bubbled up to the app, after the keys that followed
    it in the same burst: "77⏎j12⏎" typed fast (over SSH keys arrive together) put 12 into the row the j
    had left (tests/test_tui.py::test_keys_typed_in_one_burst_land_in_order).
    """
    for key in (event.key, *event.aliases):
        for binding in widget._bindings.key_to_bindings.get(key, ()):
            if not binding.priority:
                event.stop()
                event.prevent_default()
                await widget.run_action(binding.action)
                return True
    return False


class CellEditor(Protocol):
    """What a grid may ask of the cell editor of its tab, synchronously (checked with Textual 8.2.8).

    The view that owns a grid and the edit bar hands this down (`Grid.editor`); the grid never looks
    for it among its ancestors. It is a call and not a message because of key bursts: Textual forwards
    every key to the widget focused when the App handles it, so the keys typed right after the first
    digit of an edit are already queued for the grid. A message would reach the view after them, and
    "55k⏎j" typed fast (a paste, or a typist over SSH) put "5k" into the grid's cursor moves and lost the
    Enter. So the first key opens the editor at once, the queued keys are fed to it in order, and an
    Enter among them commits before the next key moves the cursor (tests/test_tui.py bursts,
    tests/test_fuzz_keys.py).
    """

    @property
    def editing(self) -> bool:
        """The editor is open (a cell or a risk note)."""
        ...

    def open_editor(self, path: tuple, text: str, grid: Any) -> None: ...

    def editor_key(self, event: events.Key) -> None: ...

    def submit_editor(self) -> None: ...


class KeyFooter(Footer):
    """A footer that rebuilds only when the keys it shows change (checked with Textual 8.2.8).

    Textual's Footer recomposes all of its keys (and the screen's layout with them) every time the screen
    says its bindings may have changed, which is twice per focus change: a committed edit (the focus goes
    back from the edit bar to the grid) paid two rebuilds and two layout passes. This footer remembers what
    it shows and skips a rebuild that would show the same keys, and keeps its keys while the cell editor
    is open (benchmarks/README.md has the figures).
    """

    _wanted: tuple | None = None  # the keys of the last rebuild, done or scheduled

    def _keys(self) -> tuple:
        """What compose() would show: every shown binding with its state, and the palette key."""
        active = self.screen.active_bindings
        shown = tuple(
            (b.key, b.action, b.description, b.group, enabled, tooltip, self.app.get_key_display(b))
            for (_, b, enabled, tooltip) in active.values()
            if b.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        extra = (palette[1].key, palette[2]) if palette is not None and self.show_command_palette else None
        return shown, extra, self.compact

    def bindings_changed(self, screen: Screen) -> None:
        focused = screen.focused
        if focused is not None and focused.id == "edit-input":
            # The cell editor is open for a moment: it says its own keys (Enter commits, Esc cancels),
            # and keeping the grid's keys here spares two rebuilds and layout passes per edit.
            return
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = self._keys()
            if keys == self._wanted:
                return  # a rebuild showing these keys is done or on its way
            self._wanted = keys
        super().bindings_changed(screen)

    def compose(self):
        if self._bindings_ready:
            self._wanted = self._keys()
        yield from super().compose()


# --- data tables ------------------------------------------------------------------------------------------
def plain_text(value: str | Text, lines: bool = True) -> Text:
    """Text from a file as a widget shows it: never markup, and each control character as its visible
    placeholder (fmt.shown; one character for one, so a Text keeps its styles where they were). A newline
    stays one (`lines`): a widget lays it out as a line break (a header in two lines, a wrapped cell)."""
    if isinstance(value, str):
        return Text(shown(value, lines))  # before Text(), which would drop BEL, BS, VT, FF and CR
    if value.plain.isprintable():
        return value
    value = value.copy()
    value.plain = shown(value.plain, lines)
    return value


class PlainHighlighter(Highlighter):
    """An Input's highlighter that shows the value's control characters as placeholders (the value itself
    stays as written): the editor of a note or a source never sends an ESC to the terminal."""

    def __call__(self, text: str | Text) -> Text:
        return plain_text(text, lines=False)  # one line: a newline is shown as ␊

    def highlight(self, text: Text) -> None:  # pragma: no cover - __call__ does the work
        pass


def _plain(value: object) -> Any:
    """A str or Text shown as the characters it holds (plain_text)."""
    return plain_text(value) if isinstance(value, str | Text) else value


class PlainTable(DataTable):
    """A DataTable whose string labels and cells are plain text, never markup (checked with Textual 8.2.8).

    DataTable reads a str cell as Rich markup, so a name such as `[/]close` (from a scenario file) ended
    the app with a MarkupError at start, and `[red]` vanished (tests/test_edits_land.py). Every table of
    the workbench is one of these.
    """

    def add_column(self, label, *, width=None, key=None, default=None):
        return super().add_column(_plain(label), width=width, key=key, default=_plain(default))

    def add_row(self, *cells, height=1, key=None, label=None):
        return super().add_row(*(_plain(c) for c in cells), height=height, key=key, label=_plain(label))

    def update_cell(self, row_key, column_key, value, *, update_width=False):
        return super().update_cell(row_key, column_key, _plain(value), update_width=update_width)

    def update_cell_at(self, coordinate, value, *, update_width=False):
        return super().update_cell_at(coordinate, _plain(value), update_width=update_width)


def _content(datum: object) -> tuple | None:
    """A hashable signature of a cell's value, or None when it cannot be cached (other renderables)."""
    if isinstance(datum, Text):
        return (
            "text",
            datum.plain,
            datum.style,
            tuple(datum.spans),
            datum.justify,
            datum.overflow,
            datum.no_wrap,
            datum.end,
            datum.tab_size,
        )
    if datum is None or isinstance(datum, (str, int, float)):
        return ("value", type(datum).__name__, datum)
    return None


class _Component:
    """A component styles object whose `rich_style` is computed once (for one render pass)."""

    __slots__ = ("_styles", "rich_style")

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class CellCache(PlainTable):
    """A DataTable cell cache keyed on what a cell shows, not on when the table last changed (checked
    with Textual 8.2.8).

    DataTable keys its render caches on a counter that every `update_cell` bumps, and on the widget's
    focus state: after an edit, or when the focus comes back to a grid, every visible cell was rendered
    again through Rich (about 60 µs a cell, 10-25 ms a table), although most cells show exactly what they
    showed before. This puts a cache in front of `_render_cell` whose key is everything the rendered cell
    depends on (its position, its content, the row and component styles, width and height), so only cells
    whose content or style changed are rendered again. On a miss it calls DataTable's own code, so the
    segments are the same (tests/test_tui_cache.py renders tables both ways and compares).

    Also remembers, for the length of one render pass, the widget's and its components' Rich styles:
    DataTable asks for them on every row (each walks the DOM up to the screen, about 50 µs).
    """

    _content_cache: LRUCache | None = None
    _pass: dict | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    @property
    def rich_style(self) -> Style:
        memo = self._pass
        if memo is None:
            return super().rich_style
        if "rich_style" not in memo:
            memo["rich_style"] = super().rich_style
        return memo["rich_style"]

    @property
    def background_colors(self):
        memo = self._pass
        if memo is None:
            return super().background_colors
        if "background_colors" not in memo:
            memo["background_colors"] = super().background_colors
        return memo["background_colors"]

    def get_component_styles(self, *names: str) -> Any:
        memo = self._pass
        if memo is None:
            return super().get_component_styles(*names)
        hit = memo.get(names)
        if hit is None:
            hit = memo[names] = _Component(super().get_component_styles(*names))
        return hit

    def _render_cell(
        self, row_index, column_index, base_style, width, cursor=False, hover=False
    ) -> list[list[Segment]]:
        try:
            key = self._content_key(row_index, column_index, base_style, width, cursor, hover)
        except (AttributeError, KeyError, IndexError, TypeError):  # a Textual this was not written for
            key = None
        if key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        if self._content_cache is None:
            self._content_cache = LRUCache(4096)
        lines = self._content_cache.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._content_cache.set(key, lines)
        return lines

    def _content_key(self, row_index, column_index, base_style, width, cursor, hover) -> tuple | None:
        if column_index < 0 or row_index < -1:
            return None  # row labels: not used here
        if row_index == -1:
            datum = self.ordered_columns[column_index].label
            height = self.header_height
            fixed = False
        else:
            row_key = self._row_locations.get_key(row_index)
            column_key = self._column_locations.get_key(column_index)
            if row_key is None or column_key is None:
                return None
            row = self.rows[row_key]
            if row.auto_height and row.height == 0:
                return None
            datum = self._data[row_key].get(column_key)
            height = row.height
            fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        content = _content(datum)
        if content is None:
            return None
        styles = self._get_styles_to_render_cell(
            row_index == -1,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        return (row_index, column_index, content, base_style, styles, width, height, self.cell_padding)

    def _clear_caches(self) -> None:
        super()._clear_caches()
        if self._content_cache is not None:
            self._content_cache.clear()


class ScrollsWhenShown(DataTable):
    """A DataTable that scrolls its cursor into view only while it has a size (checked with Textual 8.2.8).

    DataTable defers this scroll until after a refresh; while the table's pane is hidden it has no size,
    and the deferred scroll put the cursor cell at the far right: the Uncertainty grid opened scrolled
    sideways past its first columns after an edit made elsewhere.

    List it after the widget's main base (`class UncertaintyGrid(Grid, ScrollsWhenShown)`): Textual takes
    a widget's CSS type names from its first base only, so listed first it would hide `Grid` from the
    style sheet.
    """

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        if self.size.width and self.size.height:
            super()._scroll_cursor_into_view(animate=animate)


__all__ = [
    "CHECKED_WITH",
    "CellCache",
    "CellEditor",
    "FixedApp",
    "KeyFooter",
    "PlainTable",
    "QuietFocusScreen",
    "SafeCommandPalette",
    "ScrollsWhenShown",
    "run_own_binding",
]
