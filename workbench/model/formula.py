"""Formulas as small expression trees: one definition, two uses.

Each cost formula of the engine is written once as a tree of nodes (`Col`, `Const`, `+ - * / ** %`,
`Max`, `Ceil`, `ClipLow`, `When`, comparisons). The tree

- compiles to the polars expression the engine runs on batches (`Node.expr()`),
- evaluates over numpy arrays for one scenario (`Node.arr()`, where polars' fixed cost per query would
  dominate a frame of a hundred rows; a test holds the two to the same numbers), and
- renders as text for one row of the engine's frame, with that row's numbers put in (`render`),

so an explanation cannot drift from the figure it explains: both come from the same tree. Rendering
only chooses what to print (the branch a `When` took, factors equal to 1 and terms equal to 0 left out);
the arithmetic shown is the tree's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.model._polars import pl

Row = Mapping[str, Any]
Env = Mapping[str, Any]  # column name -> numpy array (or scalar), for `Node.arr`

# Operator precedence for parenthesising rendered text.
P_OR, P_AND, P_CMP, P_ADD, P_MUL, P_NEG, P_POW, P_ATOM = range(8)


@dataclass(frozen=True)
class Meta:
    """How a column reads: a label for the symbolic line and a kind for its numbers."""

    label: str
    kind: str = "number"  # money | price | share | count | number | factor | month | bool
    unit: str = ""  # appended to the value ("requests", "GPUs")


def fmt_value(x: Any, kind: str = "number", unit: str = "", currency: str = "USD") -> str:
    """A number as an explanation shows it: exact enough to redo the arithmetic by hand."""
    if x is None:
        return "null"
    if isinstance(x, list | tuple | np.ndarray):  # a list input (rollout shares), its NaN padding left out
        items = [v for v in np.asarray(x, dtype=np.float64).ravel().tolist() if not math.isnan(v)]
        item_kind = "share" if kind == "list" else kind
        return "[" + ", ".join(fmt_value(v, item_kind, "", currency) for v in items) + "]"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    x = float(x)
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞" if x < 0 else "NaN"
    if kind == "share":
        v = x * 100
        body = f"{v:.4f}".rstrip("0").rstrip(".") + "%"
        return body
    if kind in ("money", "price"):
        from workbench.model.fmt import _SYMBOLS

        sym = _SYMBOLS.get(currency, "")
        sign = "-" if x < 0 else ""
        a = abs(x)
        if a >= 1 or a == 0:
            body = f"{a:,.2f}"
            if kind == "money" and a >= 1000 and body.endswith(".00"):
                body = body[:-3]
        else:
            body = f"{a:.4g}"
            if "e" in body:
                body = f"{a:.3e}"
        out = f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"
    else:
        out = _plain(x)
    if unit in _PLURALS and x == 1:
        unit = unit[:-1]
    return f"{out} {unit}" if unit else out


_PLURALS = {"GPUs", "days", "requests"}


def _plain(x: float) -> str:
    a = abs(x)
    if x == int(x) and a < 1e15:
        return f"{int(x):,}"
    if a >= 1:
        return f"{x:,.4f}".rstrip("0").rstrip(".")
    if a == 0:
        return "0"
    s = f"{x:.4g}"
    return s if "e" not in s else f"{x:.3e}"


# ------------------------------------------------------------------------------------------------
# Rendering context


@dataclass
class Ctx:
    """What rendering needs: the row's values, how columns read, and which derived columns it met."""

    row: Row
    meta: Mapping[str, Meta]
    currency: str = "USD"
    derived: set[str] = field(default_factory=set)  # columns defined by another formula
    met: list[str] = field(default_factory=list)  # derived columns shown, in order of first use
    leaves: list[str] = field(default_factory=list)  # input columns shown, in order of first use

    def note(self, name: str) -> None:
        seen = self.met if name in self.derived else self.leaves
        if name not in seen:
            seen.append(name)


def _f(x: Any) -> Any:
    """A row value as numpy float64 (so 1/0 is inf, as in polars), booleans and None as they are."""
    if x is None or isinstance(x, bool | np.bool_):
        return x
    return np.float64(x)


# ------------------------------------------------------------------------------------------------
# Nodes


class Node:
    prec = P_ATOM

    # arithmetic sugar, so formulas read like the lines of docs/model.md section 2
    def __add__(self, o: Any) -> Node:
        return Add(self, lift(o))

    def __radd__(self, o: Any) -> Node:
        return Add(lift(o), self)

    def __sub__(self, o: Any) -> Node:
        return Sub(self, lift(o))

    def __rsub__(self, o: Any) -> Node:
        return Sub(lift(o), self)

    def __mul__(self, o: Any) -> Node:
        return Mul(self, lift(o))

    def __rmul__(self, o: Any) -> Node:
        return Mul(lift(o), self)

    def __truediv__(self, o: Any) -> Node:
        return Div(self, lift(o))

    def __rtruediv__(self, o: Any) -> Node:
        return Div(lift(o), self)

    def __pow__(self, o: Any) -> Node:
        return Pow(self, lift(o))

    def __mod__(self, o: Any) -> Node:
        return Mod(self, lift(o))

    def __and__(self, o: Node) -> Node:
        return And(self, o)

    def __or__(self, o: Node) -> Node:
        return Or(self, o)

    def __invert__(self) -> Node:
        return Not(self)

    # the three uses
    def expr(self) -> pl.Expr:
        raise NotImplementedError

    def eval(self, row: Row) -> Any:
        raise NotImplementedError

    def arr(self, env: Env) -> Any:
        """The formula over numpy arrays (one element per frame row); null is NaN."""
        raise NotImplementedError

    def text(self, ctx: Ctx, values: bool) -> str:
        """Symbolic (values=False) or with the row's numbers put in (values=True)."""
        raise NotImplementedError

    def columns(self) -> set[str]:
        return set()

    # rendering helpers
    def visible(self, ctx: Ctx) -> Node:
        """The node as it is shown for this row (a When shows only the branch it took)."""
        return self


def lift(x: Any) -> Node:
    return x if isinstance(x, Node) else Const(x)


def _wrap(node: Node, ctx: Ctx, values: bool, min_prec: int) -> str:
    node = node.visible(ctx)
    t = node.text(ctx, values)
    return f"({t})" if node.prec < min_prec else t


class Col(Node):
    """A column of the frame: an input, or a column an earlier formula defined."""

    def __init__(self, name: str, cast_float: bool = False) -> None:
        self.name = name
        self.cast_float = cast_float

    def expr(self) -> pl.Expr:
        e = pl.col(self.name)
        return e.cast(pl.Float64) if self.cast_float else e

    def eval(self, row: Row) -> Any:
        return _f(row[self.name])

    def arr(self, env: Env) -> Any:
        v = env[self.name]
        return v.astype(np.float64) if self.cast_float else v

    def columns(self) -> set[str]:
        return {self.name}

    def text(self, ctx: Ctx, values: bool) -> str:
        meta = ctx.meta.get(self.name, Meta(self.name))
        ctx.note(self.name)
        if not values:
            return meta.label
        return fmt_value(ctx.row[self.name], meta.kind, meta.unit, ctx.currency)


class Const(Node):
    def __init__(self, value: Any, label: str | None = None) -> None:
        self.value = value
        self.label = label

    def expr(self) -> pl.Expr:
        return pl.lit(self.value)

    def eval(self, row: Row) -> Any:
        return _f(self.value)

    def arr(self, env: Env) -> Any:
        return np.nan if self.value is None else _f(self.value)

    def text(self, ctx: Ctx, values: bool) -> str:
        if self.label is not None:
            return self.label
        if self.value is None:
            return "—"
        return _plain(float(self.value))


class _Bin(Node):
    op = "?"
    sym = "?"

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = a, b

    def columns(self) -> set[str]:
        return self.a.columns() | self.b.columns()


def _flatten(node: Node, cls: type, ctx: Ctx) -> list[Node]:
    node = node.visible(ctx)
    if type(node) is cls and isinstance(node, _Bin):
        return _flatten(node.a, cls, ctx) + _flatten(node.b, cls, ctx)
    return [node]


def _is_exact(x: Any, target: float) -> bool:
    try:
        return x is not None and not isinstance(x, bool | np.bool_) and float(x) == target
    except (TypeError, ValueError):
        return False


class Add(_Bin):
    prec = P_ADD

    def expr(self) -> pl.Expr:
        return self.a.expr() + self.b.expr()

    def eval(self, row: Row) -> Any:
        return self.a.eval(row) + self.b.eval(row)

    def arr(self, env: Env) -> Any:
        return self.a.arr(env) + self.b.arr(env)

    def text(self, ctx: Ctx, values: bool) -> str:
        terms = _flatten(self, Add, ctx)
        # Terms that are 0 for this row and are not a column (a cached-token term with no caching, the
        # RAG context of an option without RAG) are left out: they add nothing and hide the rest.
        shown = [t for t in terms if isinstance(t, Col) or not _is_exact(t.eval(ctx.row), 0.0)]
        if not shown:
            shown = terms[:1]
        parts: list[str] = []
        for t in shown:
            s = _wrap(t, ctx, values, P_ADD)
            if parts and values and s.startswith("-") and t.visible(ctx).prec == P_ATOM:
                parts.append("− " + s[1:])
            else:
                parts.append(("+ " if parts else "") + s)
        return " ".join(parts)


class Sub(_Bin):
    prec = P_ADD

    def expr(self) -> pl.Expr:
        return self.a.expr() - self.b.expr()

    def eval(self, row: Row) -> Any:
        return self.a.eval(row) - self.b.eval(row)

    def arr(self, env: Env) -> Any:
        return self.a.arr(env) - self.b.arr(env)

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_ADD)} − {_wrap(self.b, ctx, values, P_MUL)}"


class Mul(_Bin):
    prec = P_MUL

    def expr(self) -> pl.Expr:
        return self.a.expr() * self.b.expr()

    def eval(self, row: Row) -> Any:
        return self.a.eval(row) * self.b.eval(row)

    def arr(self, env: Env) -> Any:
        return self.a.arr(env) * self.b.arr(env)

    def text(self, ctx: Ctx, values: bool) -> str:
        factors = _flatten(self, Mul, ctx)
        # Factors equal to 1 that are multipliers (a price factor in month 1, 1 − 0%, (1 + 0%)^0) are
        # left out of the text; the arithmetic is unchanged. A count of 1 (one GPU) stays.
        shown = [f for f in factors if not (_is_exact(f.eval(ctx.row), 1.0) and _multiplier(f, ctx))]
        if not shown:
            shown = factors[:1]
        return " × ".join(_wrap(f, ctx, values, P_MUL) for f in shown)


def _multiplier(node: Node, ctx: Ctx) -> bool:
    if isinstance(node, Col):
        meta = ctx.meta.get(node.name)
        return meta is not None and meta.kind == "factor"
    return not isinstance(node, Const)


class Div(_Bin):
    prec = P_MUL

    def expr(self) -> pl.Expr:
        return self.a.expr() / self.b.expr()

    def eval(self, row: Row) -> Any:
        with np.errstate(all="ignore"):
            return self.a.eval(row) / self.b.eval(row)

    def arr(self, env: Env) -> Any:
        return self.a.arr(env) / self.b.arr(env)

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_MUL)} / {_wrap(self.b, ctx, values, P_NEG)}"


class Mod(_Bin):
    prec = P_MUL

    def expr(self) -> pl.Expr:
        return self.a.expr() % self.b.expr()

    def eval(self, row: Row) -> Any:
        with np.errstate(all="ignore"):
            return np.mod(self.a.eval(row), self.b.eval(row))

    def arr(self, env: Env) -> Any:
        return np.mod(self.a.arr(env), self.b.arr(env))

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_NEG)} mod {_wrap(self.b, ctx, values, P_NEG)}"


class Pow(_Bin):
    prec = P_POW

    def expr(self) -> pl.Expr:
        return self.a.expr().pow(self.b.expr())

    def eval(self, row: Row) -> Any:
        with np.errstate(all="ignore"):
            return np.power(self.a.eval(row), self.b.eval(row))

    def arr(self, env: Env) -> Any:
        return np.power(self.a.arr(env), self.b.arr(env))

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_ATOM)}^{_wrap(self.b, ctx, values, P_ATOM)}"


class Max(Node):
    """max(a, b, ...) over columns (pl.max_horizontal)."""

    def __init__(self, *args: Node) -> None:
        self.args = [lift(a) for a in args]

    def expr(self) -> pl.Expr:
        return pl.max_horizontal(*(a.expr() for a in self.args))

    def eval(self, row: Row) -> Any:
        vals = [a.eval(row) for a in self.args]
        vals = [v for v in vals if v is not None]
        return max(vals) if vals else None

    def arr(self, env: Env) -> Any:
        out = self.args[0].arr(env)
        for a in self.args[1:]:
            out = np.fmax(out, a.arr(env))  # nulls (NaN) ignored, as max_horizontal does
        return out

    def columns(self) -> set[str]:
        return set().union(*(a.columns() for a in self.args))

    def text(self, ctx: Ctx, values: bool) -> str:
        return "max(" + ", ".join(_wrap(a, ctx, values, P_OR) for a in self.args) + ")"


class ClipLow(Node):
    """max(0, a), as `a.clip(lower_bound=...)`."""

    def __init__(self, a: Node, low: float = 0.0) -> None:
        self.a, self.low = a, low

    def expr(self) -> pl.Expr:
        return self.a.expr().clip(lower_bound=self.low)

    def eval(self, row: Row) -> Any:
        v = self.a.eval(row)
        return v if v is None else max(np.float64(self.low), v)

    def arr(self, env: Env) -> Any:
        return np.maximum(self.a.arr(env), self.low)  # a null (NaN) stays null, as clip does

    def columns(self) -> set[str]:
        return self.a.columns()

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"max({_plain(self.low)}, {_wrap(self.a, ctx, values, P_OR)})"


WHOLE_TOLERANCE = 1e-12
"""A quotient within this relative distance of a whole number n >= 1 is n (docs/model.md 6.0)."""


def ceil_whole(q: Any) -> Any:
    """ceil(q), except that a q floating point put a hair above a whole number n >= 1 is n:
    9.000000000000002 GPUs are 9 GPUs (docs/model.md 6.0). Works on scalars and arrays; NaN stays NaN."""
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        n = np.round(q)
        near = (n >= 1) & (np.abs(q - n) <= WHOLE_TOLERANCE * n)
    out = np.where(near, n, np.ceil(q))
    return out if out.ndim else np.float64(out)


class Ceil(Node):
    """ceil, with docs/model.md 6.0's tolerance: a count a hair above a whole number is that number."""

    def __init__(self, a: Node) -> None:
        self.a = a

    def expr(self) -> pl.Expr:
        q = self.a.expr()
        n = q.round(0)
        near = (n >= 1) & ((q - n).abs() <= WHOLE_TOLERANCE * n)
        return pl.when(near).then(n).otherwise(q.ceil())

    def eval(self, row: Row) -> Any:
        return ceil_whole(self.a.eval(row))

    def arr(self, env: Env) -> Any:
        return ceil_whole(self.a.arr(env))

    def columns(self) -> set[str]:
        return self.a.columns()

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"ceil({_wrap(self.a, ctx, values, P_OR)})"


class SumH(Node):
    """a + b + ... over columns, nulls ignored (pl.sum_horizontal)."""

    prec = P_ADD

    def __init__(self, *args: Node) -> None:
        self.args = [lift(a) for a in args]

    def expr(self) -> pl.Expr:
        return pl.sum_horizontal(*(a.expr() for a in self.args))

    def eval(self, row: Row) -> Any:
        total = np.float64(0.0)
        for a in self.args:
            v = a.eval(row)
            if v is not None:
                total = total + v
        return total

    def arr(self, env: Env) -> Any:
        total: Any = np.float64(0.0)
        for a in self.args:
            v = a.arr(env)
            total = total + np.where(np.isnan(v), 0.0, v)  # nulls ignored, as sum_horizontal does
        return total

    def columns(self) -> set[str]:
        return set().union(*(a.columns() for a in self.args))

    def text(self, ctx: Ctx, values: bool) -> str:
        shown = [a for a in self.args if not _is_exact(a.eval(ctx.row), 0.0)] or self.args[:1]
        return " + ".join(_wrap(a, ctx, values, P_ADD) for a in shown)


class _Cmp(_Bin):
    prec = P_CMP
    fn: Callable[[Any, Any], Any] = staticmethod(lambda a, b: a == b)

    def eval(self, row: Row) -> Any:
        return bool(type(self).fn(self.a.eval(row), self.b.eval(row)))

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_ADD)} {self.sym} {_wrap(self.b, ctx, values, P_ADD)}"


class Gt(_Cmp):
    sym = ">"
    fn = staticmethod(lambda a, b: a > b)

    def arr(self, env: Env) -> Any:
        return np.greater(self.a.arr(env), self.b.arr(env))

    def expr(self) -> pl.Expr:
        return self.a.expr() > self.b.expr()


class Ge(_Cmp):
    sym = "≥"
    fn = staticmethod(lambda a, b: a >= b)

    def arr(self, env: Env) -> Any:
        return np.greater_equal(self.a.arr(env), self.b.arr(env))

    def expr(self) -> pl.Expr:
        return self.a.expr() >= self.b.expr()


class Eq(_Cmp):
    sym = "="
    fn = staticmethod(lambda a, b: a == b)

    def arr(self, env: Env) -> Any:
        return np.equal(self.a.arr(env), self.b.arr(env))

    def expr(self) -> pl.Expr:
        return self.a.expr() == self.b.expr()


class And(_Bin):
    prec = P_AND

    def expr(self) -> pl.Expr:
        return self.a.expr() & self.b.expr()

    def eval(self, row: Row) -> Any:
        return bool(self.a.eval(row)) and bool(self.b.eval(row))

    def arr(self, env: Env) -> Any:
        return np.logical_and(self.a.arr(env), self.b.arr(env))

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_AND)} and {_wrap(self.b, ctx, values, P_AND + 1)}"


class Or(_Bin):
    prec = P_OR

    def expr(self) -> pl.Expr:
        return self.a.expr() | self.b.expr()

    def eval(self, row: Row) -> Any:
        return bool(self.a.eval(row)) or bool(self.b.eval(row))

    def arr(self, env: Env) -> Any:
        return np.logical_or(self.a.arr(env), self.b.arr(env))

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"{_wrap(self.a, ctx, values, P_OR)} or {_wrap(self.b, ctx, values, P_OR + 1)}"


class Not(Node):
    prec = P_NEG

    def __init__(self, a: Node) -> None:
        self.a = a

    def expr(self) -> pl.Expr:
        return ~self.a.expr()

    def eval(self, row: Row) -> Any:
        return not bool(self.a.eval(row))

    def arr(self, env: Env) -> Any:
        return np.logical_not(self.a.arr(env))

    def columns(self) -> set[str]:
        return self.a.columns()

    def text(self, ctx: Ctx, values: bool) -> str:
        return f"not {_wrap(self.a, ctx, values, P_NEG)}"


class Pick(Node):
    """Entry `index` of a list column (0-based), or `default` where the index falls outside the list.

    The list is one row of a 2-D column padded with NaN (an option's rollout shares): a NaN entry is
    outside too. Renders as the entry it picked, or as the default.
    """

    def __init__(self, col: str, index: Node, default: Any, label: str = "") -> None:
        self.col = col
        self.index = index
        self.default = lift(default)
        self.label = label or col

    def _hit(self, row: Row) -> float | None:
        values = np.asarray(row[self.col], dtype=np.float64).ravel()
        j = self.index.eval(row)
        if j is None or not np.isfinite(j) or j < 0 or j >= len(values) or j != int(j):
            return None
        v = float(values[int(j)])
        return None if math.isnan(v) else v

    def expr(self) -> pl.Expr:
        j = self.index.expr()
        got = pl.col(self.col).arr.get(j.cast(pl.Int64), null_on_oob=True).fill_nan(None)
        return pl.when(j >= 0).then(got).otherwise(None).fill_null(self.default.expr())

    def eval(self, row: Row) -> Any:
        hit = self._hit(row)
        return self.default.eval(row) if hit is None else np.float64(hit)

    def arr(self, env: Env) -> Any:
        table = np.asarray(env[self.col], dtype=np.float64)
        j = np.asarray(self.index.arr(env), dtype=np.float64)
        n, w = table.shape
        j = np.broadcast_to(j, (n,))
        with np.errstate(invalid="ignore"):
            inside = (j >= 0) & (j < w)
        picked = table[np.arange(n), np.where(inside, j, 0).astype(np.int64)]
        picked = np.where(inside, picked, np.nan)
        return np.where(np.isnan(picked), self.default.arr(env), picked)

    def columns(self) -> set[str]:
        return {self.col} | self.index.columns() | self.default.columns()

    def visible(self, ctx: Ctx) -> Node:
        return self if self._hit(ctx.row) is not None else self.default.visible(ctx)

    def text(self, ctx: Ctx, values: bool) -> str:
        hit = self._hit(ctx.row)
        if hit is None:
            return self.default.visible(ctx).text(ctx, values)
        meta = ctx.meta.get(self.col, Meta(self.col))
        ctx.note(self.col)
        j = int(self.index.eval(ctx.row))
        if not values:
            return f"{self.label}[{j + 1}]"
        return fmt_value(hit, "share" if meta.kind == "list" else meta.kind, "", ctx.currency)


Note = str | Callable[[Row], str] | None


class When(Node):
    """`then` where `cond` holds, else `otherwise`; renders only the branch this row took.

    `why_then` / `why_else` say in words why a branch applies ("not a RAG option"); they may be
    functions of the row. They are text only and never enter the arithmetic.
    """

    def __init__(self, cond: Node, then: Any, otherwise: Any, why_then: Note = None, why_else: Note = None):
        self.cond = cond
        self.then = lift(then)
        self.otherwise = lift(otherwise)
        self.why_then = why_then
        self.why_else = why_else

    def expr(self) -> pl.Expr:
        then = None if isinstance(self.then, Const) and self.then.value is None else self.then.expr()
        other = self.otherwise
        if isinstance(other, When):  # a chain: pl.when(a).then(x).when(b).then(y).otherwise(z)
            chain = pl.when(self.cond.expr()).then(then)
            while isinstance(other, When):
                o_then = (
                    None if isinstance(other.then, Const) and other.then.value is None else other.then.expr()
                )
                chain = chain.when(other.cond.expr()).then(o_then)
                other = other.otherwise
            return chain.otherwise(other.expr())
        return pl.when(self.cond.expr()).then(then).otherwise(other.expr())

    def taken(self, row: Row) -> bool:
        return bool(self.cond.eval(row))

    def eval(self, row: Row) -> Any:
        return self.then.eval(row) if self.taken(row) else self.otherwise.eval(row)

    def arr(self, env: Env) -> Any:
        return np.where(self.cond.arr(env), self.then.arr(env), self.otherwise.arr(env))

    def columns(self) -> set[str]:
        return self.cond.columns() | self.then.columns() | self.otherwise.columns()

    def visible(self, ctx: Ctx) -> Node:
        return (self.then if self.taken(ctx.row) else self.otherwise).visible(ctx)

    def text(self, ctx: Ctx, values: bool) -> str:
        return self.visible(ctx).text(ctx, values)


def reasons(node: Node, row: Row) -> list[str]:
    """Why-notes of the branches taken, anywhere in the visible tree (outermost first)."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, When):
            took = n.taken(row)
            note = n.why_then if took else n.why_else
            if note:
                text = note(row) if callable(note) else note
                if text and text not in out:
                    out.append(text)
            walk(n.then if took else n.otherwise)
            return
        for child in _children(n):
            walk(child)

    walk(node)
    return out


def _children(n: Node) -> list[Node]:
    if isinstance(n, _Bin):
        return [n.a, n.b]
    if isinstance(n, Max | SumH):
        return list(n.args)
    if isinstance(n, ClipLow | Ceil | Not):
        return [n.a]
    if isinstance(n, Pick):
        return [n.index, n.default]
    return []


@dataclass(frozen=True)
class Def:
    """One formula: the column it defines, its tree, and how the column reads."""

    name: str
    node: Node
    meta: Meta

    def expr(self) -> pl.Expr:
        return self.node.expr().alias(self.name)


def render(d: Def, ctx: Ctx) -> tuple[str, str]:
    """(symbolic, with values) text of one formula for the row in ctx."""
    sym_ctx = Ctx(ctx.row, ctx.meta, ctx.currency, ctx.derived)
    symbolic = d.node.visible(sym_ctx).text(sym_ctx, values=False)
    with_values = d.node.visible(ctx).text(ctx, values=True)
    return symbolic, with_values


# ------------------------------------------------------------------------------------------------
# Partial evaluation, for large batches


def specialize(node: Node, consts: Mapping[str, Any]) -> Node:
    """The same tree with the columns in `consts` put in as numbers, and every part that no longer
    reads a column folded into one constant (a `When` on a constant condition keeps the branch taken).

    A Monte Carlo batch varies a few inputs; for each option the rest are constants, so most of the
    formulas fold away and polars computes only what depends on a drawn input or the month.
    """
    if isinstance(node, Col):
        return Const(_py(consts[node.name])) if node.name in consts else node
    if isinstance(node, Const):
        return node
    if isinstance(node, When):
        cond = specialize(node.cond, consts)
        if isinstance(cond, Const):
            return specialize(node.then if bool(cond.value) else node.otherwise, consts)
        out: Node = When(cond, specialize(node.then, consts), specialize(node.otherwise, consts))
    elif isinstance(node, And | Or):
        a, b = specialize(node.a, consts), specialize(node.b, consts)
        short = isinstance(node, Or)  # False decides an And, True an Or
        for side in (a, b):
            if isinstance(side, Const) and bool(side.value) is short:
                return Const(short)
        out = type(node)(a, b)
    elif isinstance(node, _Bin):
        out = type(node)(specialize(node.a, consts), specialize(node.b, consts))
    elif isinstance(node, Max | SumH):
        out = type(node)(*(specialize(a, consts) for a in node.args))
    elif isinstance(node, ClipLow):
        out = ClipLow(specialize(node.a, consts), node.low)
    elif isinstance(node, Ceil | Not):
        out = type(node)(specialize(node.a, consts))
    elif isinstance(node, Pick):
        index, default = specialize(node.index, consts), specialize(node.default, consts)
        if node.col not in consts:
            out = Pick(node.col, index, default, node.label)
        else:  # a known list: a chain of its entries by index
            entries = [float(v) for v in np.asarray(consts[node.col], dtype=np.float64).ravel()]
            out = default
            for j in reversed(range(len(entries))):
                if not math.isnan(entries[j]):
                    out = When(Eq(index, Const(float(j))), Const(entries[j]), out)
            out = specialize(out, consts)
            if isinstance(out, Const):
                return out
    else:  # pragma: no cover - every node type is listed above
        return node
    if not out.columns():
        return Const(_py(out.eval({})))
    return out


def _py(x: Any) -> Any:
    """numpy scalars as Python scalars (polars literals)."""
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.floating | np.integer):
        return float(x)
    return x
