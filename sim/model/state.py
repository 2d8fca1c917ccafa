"""What the talk-round kernels read and write, declared once: named arrays in flat buffers.

Numba passes a few arrays much faster than many (a named tuple of twenty arrays
costs about 2.7 us a call, one array 0.2 us), so a kernel takes flat buffers
and unpacks them into named views itself. Each ``Struct`` below is the one list
of its fields; from it come the buffers' sizes, the packing of a compiled
model's numbers, and ``views``: a function, generated from the list, that
returns a named tuple of views of the buffers. The engine calls it as plain
Python (numpy views); the kernels call its compiled twin (``compiled``), so
both sides read the same names and nothing spells an offset by hand.

- ``LAYOUT`` (read only, one per model): where every parameter's value is (slot
  indices into the values ``va``) and the issues' fixed shape; its first ints
  are the sizes (``DIMS``), so the kernels need nothing else to unpack it;
- ``WORKSPACE`` (one per replication): the state carried between rounds and a
  round's results;
- ``TRACE`` (one per replication without a front line): the rounds of a run of
  rounds played in one call, one row each.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba.core import cgutils, types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from sim.model.jit import generated

DIMS = ("parties", "actors", "issues", "splits", "levers")  # the sizes, first in a layout


@intrinsic
def borrow(typingctx, buf, start, length):
    """``buf[start:start + length]`` for the kernels, without a reference count of its own.

    A kernel's views live no longer than the call that received their buffer, so
    they need none; and numba cannot drop the counts of an ordinary view where an
    inlined helper that takes the views (``L``, ``w``) allocates or calls: about 14
    ns per view and helper, a microsecond a round.
    """
    view = types.Array(buf.dtype, 1, "C")

    def codegen(context, builder, signature, args):
        source = make_array(signature.args[0])(context, builder, args[0])
        first = context.cast(builder, args[1], signature.args[1], types.intp)
        size = context.cast(builder, args[2], signature.args[2], types.intp)
        out = make_array(view)(context, builder)
        itemsize = context.get_constant(types.intp, context.get_abi_sizeof(
            context.get_data_type(view.dtype)))
        populate_array(out, data=builder.gep(source.data, [first]),
                       shape=cgutils.pack_array(builder, [size]),
                       strides=cgutils.pack_array(builder, [itemsize]), itemsize=itemsize,
                       meminfo=None)
        return out._getvalue()
    return view(buf, start, length), codegen


@dataclass(frozen=True)
class Field:
    """One named array: its shape in sizes (names of ``DIMS``, ``rounds``, or numbers; ``()``
    is one number, read-only structs only), what it holds (``int``, ``float``, or ``bool``
    kept as a float 0/1), its value before anything is written (writable structs)."""

    name: str
    shape: tuple[str | int, ...]
    kind: str = "float"
    init: float = 0.0


class Struct:
    """Named arrays packed in an int and a float buffer (read-only) or one float buffer
    (writable, ``dims`` given by the caller)."""

    def __init__(self, name: str, fields: Sequence[Field], dims: Sequence[str],
                 writable: bool, header: bool = False):
        self.name, self.fields, self.dims = name, tuple(fields), tuple(dims)
        self.writable, self.header = writable, header
        # a header's sizes come first in the views too (``L.parties``)
        self.Views = namedtuple(name, [*(self.dims if header else ()),
                                       *(f.name for f in self.fields)])
        self.views = self._generate(compiled=False)
        self._templates: dict[tuple[int, ...], np.ndarray] = {}
        self._spans: dict[tuple, tuple[int, int, tuple[int, ...]]] = {}
        kernel_views = self._generate(compiled=True)
        kernel_views.twin = self.views  # what the kernels' Python twins call instead
        # (with NUMBA_DISABLE_JIT numba compiles nothing: the kernels call the Python views)
        self.compiled = self.views if numba.config.DISABLE_JIT else generated(kernel_views)

    # --- sizes and packing (plain Python, once per model or replication) ------------------

    def _length(self, f: Field, dims: Mapping[str, int]) -> int:
        return math.prod(d if isinstance(d, int) else dims[d] for d in f.shape)

    def size(self, dims: Mapping[str, int]) -> int:
        """Floats of a writable struct's buffer for these sizes."""
        return sum(self._length(f, dims) for f in self.fields)

    def allocate(self, dims: Mapping[str, int] | tuple[int, ...]) -> np.ndarray:
        """A writable struct's buffer, every field at its initial value (``dims``: the sizes
        by name, or in the order of ``self.dims``)."""
        key = tuple(dims[d] for d in self.dims) if isinstance(dims, Mapping) else dims
        template = self._templates.get(key)
        if template is None:  # once per sizes: replications copy it
            template = self._templates[key] = np.zeros(self.size(dict(zip(self.dims, key,
                                                                          strict=True))))
            for f, view in zip(self.fields, self.views(template, *key), strict=True):
                if f.init:
                    view[...] = f.init
        return template.copy()

    def span(self, buffer: np.ndarray, sizes: tuple[int, ...], first: str,
             last: str) -> np.ndarray:
        """One view of the consecutive fields ``first`` .. ``last`` of a writable struct (of
        one shape), a row each in declared order: the engine reads them in one go."""
        key = (sizes, first, last)
        if key not in self._spans:  # once per sizes: replications reuse it
            dims = dict(zip(self.dims, sizes, strict=True))
            names = [f.name for f in self.fields]
            i, j = names.index(first), names.index(last)
            shapes = {self.fields[k].shape for k in range(i, j + 1)}
            if len(shapes) != 1:
                raise ValueError(f"{self.name}: {first}..{last} are not of one shape")
            start = sum(self._length(f, dims) for f in self.fields[:i])
            stop = start + sum(self._length(f, dims) for f in self.fields[i:j + 1])
            shape = (j - i + 1, *(d if isinstance(d, int) else dims[d] for d in shapes.pop()))
            self._spans[key] = start, stop, shape
        start, stop, shape = self._spans[key]
        return buffer[start:stop].reshape(shape)

    def pack(self, source: Any, dims: Mapping[str, int],
             **values: Any) -> tuple[np.ndarray, np.ndarray]:
        """A read-only struct's buffers from ``values`` or else ``source``'s attributes of
        the fields' names (after the sizes, when the struct has a header)."""
        ints: list[int] = [dims[d] for d in self.dims] if self.header else []
        floats: list[float] = []
        for f in self.fields:
            value = values[f.name] if f.name in values else getattr(source, f.name)
            value = np.asarray(value, dtype=float if f.kind != "int" else
                               np.int64).reshape(-1)
            if value.size != self._length(f, dims):
                raise ValueError(f"{self.name}.{f.name}: {value.size} values for shape "
                                 f"{f.shape} = {self._length(f, dims)}")
            (ints if f.kind == "int" else floats).extend(value.tolist())
        return np.array(ints, np.int64), np.array(floats, float)

    # --- views (generated from the fields) -----------------------------------------------

    def _generate(self, compiled: bool):
        """The source of ``views``, written out field by field, then compiled by Python;
        for the kernels (``compiled``) the views borrow their buffer (``borrow``).

        Every local name is unique to the struct and assigned once: numba inlines
        ``compiled`` into the kernels, which have names of their own."""
        x = f"_{self.name.lower()}_"  # the prefix of every local name
        args = ["ints", "floats"] if not self.writable else ["buf", *self.dims]
        args = [x + a for a in args]
        lines = [f"def views_of_{self.name.lower()}({', '.join(args)}):"]
        if self.header:
            lines += [f"    {x}{d} = {x}ints[{i}]" for i, d in enumerate(self.dims)]
        at = {"int": len(self.dims) if self.header else 0, "float": 0}  # offsets so far
        for n, field in enumerate(self.fields):
            buffer = "buf" if self.writable else "ints" if field.kind == "int" else "floats"
            kind = "int" if buffer == "ints" else "float"
            start = f"{x}at{n}"
            lines.append(f"    {start} = {at[kind]}")
            if field.shape == ():
                view = f"{x}{buffer}[{start}]" + (" != 0.0" if field.kind == "bool" else "")
                length = "1"
            else:
                sizes = [str(d) if isinstance(d, int) else x + d for d in field.shape]
                length = " * ".join(sizes)
                view = f"borrow({x}{buffer}, {start}, {length})" if compiled else \
                    f"{x}{buffer}[{start}:{start} + {length}]"
                if len(sizes) > 1:
                    view += f".reshape(({', '.join(sizes)}))"
                if field.kind == "bool":
                    view = f"({view} != 0.0)"
            lines.append(f"    {x}{field.name} = {view}")
            at[kind] = f"{start} + {length}"
        names = ", ".join(x + name for name in [*(self.dims if self.header else ()),
                                                 *(field.name for field in self.fields)])
        lines.append(f"    return {x}Views({names})")
        namespace = {f"{x}Views": self.Views, "borrow": borrow}
        exec(compile("\n".join(lines), f"<peacesim {self.name} views>", "exec"), namespace)
        return namespace[f"views_of_{self.name.lower()}"]


_int = "int"
LAYOUT = Struct("Layout", [
    # slots of each party's parameters
    Field("batna", ("parties",), _int), Field("war_cost", ("parties",), _int),
    Field("weariness", ("parties",), _int), Field("planning", ("parties",), _int),
    Field("exponent", ("parties",), _int), Field("noise", ("parties",), _int),
    Field("power", ("parties",), _int), Field("walkout", ("parties",), _int),
    # each lever: its target party, the slot of its probability, its most fires
    Field("lever_target", ("levers",), _int), Field("lever_probability", ("levers",), _int),
    Field("lever_max_fires", ("levers",), _int),
    # slots per actor (the parties, then the mediator) and issue
    Field("ideal", ("actors", "issues"), _int), Field("weight", ("actors", "issues"), _int),
    Field("red_line", ("actors", "issues"), _int),
    Field("status_quo", ("issues",), _int),
    Field("split", ("splits",), _int),  # the indivisible issues
    Field("stepped", (), "bool"),  # some issue has a step
    Field("bias", (), _int), Field("information", (), _int),  # the mediator's slots
    Field("field_issue", (), _int),  # the battlefield's issue; -1: none
    # the issues' shape (numbers, not slots)
    Field("lo", ("issues",)), Field("hi", ("issues",)), Field("step", ("issues",)),
    Field("indivisible", ("issues",), "bool"),
    Field("max_held", ()), Field("reference", ()), Field("start_day", ()),
], DIMS, writable=False, header=True)

WORKSPACE = Struct("Workspace", [
    # the parties' last look at the front, and their beliefs about its drift
    Field("seen_day", (1,)), Field("seen_held", (1,)),
    Field("belief_mean", ("parties",)), Field("belief_var", ("parties",)),
    # the deals within every party's red lines (``round.common_box``)
    Field("box_lo", ("issues",)), Field("box_hi", ("issues",)),
    # what is on the table, who put it there (-1: the mediator), whether there is one
    Field("table", ("issues",)), Field("author", (1,), init=-1.0),
    Field("table_set", (1,)),
    Field("warm", ("issues",)), Field("warm_set", (1,)),  # mediated: last round's optimum
    Field("accepted", ("parties",)),  # alternating: who has accepted the offer (1/0)
    # the levers: how often each fired, whether in force, whether it fired this round
    Field("fires", ("levers",)), Field("active", ("levers",)), Field("fired", ("levers",)),
    # a round's numbers, one per party
    Field("nodeal", ("parties",)), Field("level", ("parties",)), Field("utility", ("parties",)),
    Field("accepts", ("parties",)), Field("shortfall", ("parties",)), Field("red", ("parties",)),
    Field("rejects", ("parties",)), Field("walks", ("parties",)),
    # every actor's preferences (``preferences.prefs``): u = 1 - sum g |x - ideal|, and the
    # box its red lines leave
    Field("g", ("actors", "issues")), Field("ideal", ("actors", "issues")),
    Field("red_lo", ("actors", "issues")), Field("red_hi", ("actors", "issues")),
], ("parties", "actors", "issues", "levers"), writable=True)

TRACE = Struct("Trace", [
    Field("day", ("rounds",)), Field("agreed", ("rounds",)), Field("blocker", ("rounds",)),
    Field("sticking", ("rounds",)), Field("fired", ("rounds",)), Field("walked", ("rounds",)),
    Field("author", ("rounds",)), Field("table", ("rounds", "issues")),
    Field("utility", ("rounds", "parties")), Field("level", ("rounds", "parties")),
    Field("nodeal", ("rounds", "parties")), Field("accepts", ("rounds", "parties")),
], ("rounds", "parties", "issues"), writable=True)

# the kernels' views (``borrow``): for compiled code only; returned to Python they would
# not keep their buffer alive (the engine uses ``LAYOUT.views`` and the like)
layout = LAYOUT.compiled
workspace = WORKSPACE.compiled
trace = TRACE.compiled
