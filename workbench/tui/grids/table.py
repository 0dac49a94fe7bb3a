"""A DataTable cell cache keyed on what a cell shows, not on when the table last changed.

Textual's DataTable (8.2.8) keys its render caches on a counter that every `update_cell` bumps, and on
the widget's focus state: after an edit, or when the focus comes back to a grid, every visible cell is
rendered again through Rich (about 60 µs a cell here, 10-25 ms a table), although most cells show exactly
what they showed before. `CellCache` puts a cache in front of `_render_cell` whose key is everything the
rendered cell depends on (its position, its content, the row and component styles, width and height), so
only cells whose content or style changed are rendered again. On a miss it calls DataTable's own code,
so the segments are the same (tests/test_tui_cache.py renders tables both ways and compares).
"""

from __future__ import annotations

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable


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

    def __init__(self, styles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str):
        return getattr(self._styles, name)


def _plain(value: object) -> object:
    """A str shown as the characters it holds: DataTable would read it as Rich markup, so a name such as
    `[/]close` (from a scenario file) would end the app with a MarkupError, and `[red]` would vanish."""
    return Text(value) if isinstance(value, str) else value


class PlainTable(DataTable):
    """A DataTable whose string labels and cells are plain text, never markup (every table here uses it)."""

    def add_column(self, label, *, width=None, key=None, default=None):
        return super().add_column(_plain(label), width=width, key=key, default=_plain(default))

    def add_row(self, *cells, height=1, key=None, label=None):
        return super().add_row(*(_plain(c) for c in cells), height=height, key=key, label=_plain(label))

    def update_cell(self, row_key, column_key, value, *, update_width=False):
        return super().update_cell(row_key, column_key, _plain(value), update_width=update_width)

    def update_cell_at(self, coordinate, value, *, update_width=False):
        return super().update_cell_at(coordinate, _plain(value), update_width=update_width)


class CellCache(PlainTable):
    """Subclass instead of DataTable: `class Grid(CellCache)`.

    Also remembers, for the length of one render pass, the widget's and its components' Rich styles:
    DataTable asks for them on every row (each walks the DOM up to the screen, about 50 µs).
    """

    _content_cache: LRUCache | None = None
    _pass: dict | None = None

    def render_lines(self, crop):
        self._pass = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    @property
    def rich_style(self):
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

    def get_component_styles(self, *names: str):
        memo = self._pass
        if memo is None:
            return super().get_component_styles(*names)
        hit = memo.get(names)
        if hit is None:
            hit = memo[names] = _Component(super().get_component_styles(*names))
        return hit

    def _render_cell(self, row_index, column_index, base_style, width, cursor=False, hover=False):
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
