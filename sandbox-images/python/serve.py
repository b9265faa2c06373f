"""The candidate's side of a paired test: loads the program and answers the test process's calls.

    python3 serve.py <file> [args...]    fd 3: requests from the test process, fd 4: replies to it

The program is loaded as module __verdict_candidate__ (its `if __name__ == "__main__"` block
does not run), as for function-call tests (call.py). Its top-level names are then announced to
the test process (trust.py), which runs the test code in a process of its own, as another user:
nothing this process does, prints or exits with decides whether the tests passed. Whatever the
program does to this process (rebinding anything below included) only changes its own answers.

Frames, both ways: a 4-byte big-endian length, then that many bytes of JSON.
  hello   -> {"names": [[name, kind, detail], ...]}   kind: function | class | exception | module | value
             (detail: a module's name, an exception's builtin bases, a value)
  request <- {"op": "call", "target": ref, "args": [...], "kwargs": [[k, v], ...]}
             {"op": "get", "target": ref, "name": attr}   {"op": "dunder", "target": ref, "name": "__len__", "args": [...]}
             {"op": "next", "target": ref}   {"op": "end"}
  reply   -> {"value": v, "back": [[i | key, v], ...]} | {"raise": {"type", "module", "message"}} | {"not_plain": message}
             | {"callable": true} (a "get" of a method) | {"stop": true} (a "next" past the end)
A ref is {"n": name} (a top-level name) or {"h": id} (an object this process keeps). Values are
JSON with tags for what JSON lacks: {"t": [...]} a tuple, {"d": [[k, v], ...]} a dict, {"s": [...]}
a set, {"f": [...]} a frozenset, {"i": "<hex>"} an int beyond 2**63, {"j": [re, im]} a complex,
{"h": id, "c": class} any other object (an instance of the program's classes, a library's),
{"g": id} an iterator; NaN or infinities as Python's json writes them. A subclass of a plain
type crosses as that type.
After the args of a call, lists, dicts and sets among them come back ("back") as the call left them.

With VERDICT_COVERAGE_MARKER set, the program's lines are traced and, at "end", reported on
stdout as cover.py reports them.
"""
import builtins
import importlib.machinery
import json
import os
import struct
import sys
import types

MODULE_NAME = "__verdict_candidate__"
MAX_DEPTH = 1000
# What one reply may take: a value beyond it is no answer the test process reads.
MAX_FRAME_BYTES = 64 * 1024 * 1024

_read = os.read
_write = os.write
_dumps = json.dumps
_loads = json.loads
_pack = struct.pack
_unpack = struct.unpack
_type = type
_exit = os._exit


class NotPlain(Exception):
    pass


def load_sibling(name):
    """A file beside this one, under a name no program module can take or shadow."""
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_verdict_" + name, os.path.join(here, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def new_module(path):
    """An empty module for the program, as `python3 path` would set it up (cover.new_module's)."""
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = path
    module.__cached__ = None
    module.__loader__ = importlib.machinery.SourceFileLoader(MODULE_NAME, path)
    module.__builtins__ = builtins
    return module


def exec_file(module):
    """Runs the program's file in its module (cover.exec_file's): bytes, so that a coding cookie or a BOM is read as Python does."""
    with open(module.__file__, "rb") as source:
        code = compile(source.read(), module.__file__, "exec", dont_inherit=True)
    exec(code, module.__dict__)


def read_exact(fd, n):
    chunks = []
    while n > 0:
        chunk = _read(fd, min(n, 1 << 20))
        if not chunk:
            # The test process is gone: nothing is left to answer.
            _exit(0)
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive():
    (length,) = _unpack(">I", read_exact(3, 4))
    return _loads(read_exact(3, length))


def send(message):
    data = _dumps(message, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_FRAME_BYTES:
        data = _dumps({"not_plain": f"the answer takes more than {MAX_FRAME_BYTES} bytes"}).encode("utf-8")
    view = memoryview(_pack(">I", len(data)) + data)
    while view:
        view = view[_write(4, view) :]


class Objects:
    """What the test process holds handles to: instances of the program's classes, iterators."""

    def __init__(self):
        self.by_id = {}

    def keep(self, value):
        key = id(value)
        self.by_id[key] = value
        return key


def int_value(v):
    # Beyond 2**63 an int crosses in hexadecimal: linear both ways, and never refused by the
    # digit limit of decimal conversion (HumanEval+'s factorials have thousands of digits).
    return v if -_BIG < v < _BIG else {"i": format(v, "x")}


_BIG = 1 << 63


def encoder(objects, numpy_plain):
    def enc(v, depth=0):
        t = _type(v)
        if v is None or t is bool or t is float or t is str:
            return v
        if t is int:
            return int_value(v)
        if depth > MAX_DEPTH:
            raise NotPlain(f"a value nested more than {MAX_DEPTH} levels deep")
        if t is list:
            return [enc(x, depth + 1) for x in v]
        if t is tuple:
            return {"t": [enc(x, depth + 1) for x in v]}
        if t is dict:
            return {"d": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if t is set:
            return {"s": [enc(x, depth + 1) for x in v]}
        if t is frozenset:
            return {"f": [enc(x, depth + 1) for x in v]}
        if t is complex:
            return {"j": [v.real, v.imag]}
        plain = numpy_plain(v, t)
        if plain is not NOT_NUMPY:
            return enc(plain, depth + 1)
        if t.__module__ == MODULE_NAME:
            return {"h": objects.keep(v), "c": t.__qualname__}
        if isinstance(v, (types.GeneratorType, types.AsyncGeneratorType)) or (hasattr(t, "__next__") and hasattr(t, "__iter__")):
            return {"g": objects.keep(v)}
        # A subclass of a plain type (collections.Counter, OrderedDict, a namedtuple, an IntEnum)
        # crosses as that type, read by the base type's own methods: what the subclass
        # overrides (its __eq__ included) stays here.
        for base, read in PLAIN_BASES:
            if isinstance(v, base):
                return enc(read(v), depth + 1)
        # Anything else (a re.Match, a Fraction, a library's object) is a handle, equal only to
        # itself in the test code: `is not None`, truth and its attributes work, == never asks it.
        return {"h": objects.keep(v), "c": t.__qualname__}

    return enc


PLAIN_BASES = (
    (int, int.__int__),
    (float, float.__float__),
    (str, str.__str__),
    (complex, complex.__complex__),
    (dict, lambda v: dict(dict.items(v))),
    (list, lambda v: list(list.__iter__(v))),
    (tuple, lambda v: tuple(tuple.__iter__(v))),
    (frozenset, lambda v: frozenset(frozenset.__iter__(v))),
    (set, lambda v: set(set.__iter__(v))),
)


NOT_NUMPY = object()

DUNDERS = {
    "__len__": len,
    "__bool__": bool,
    "__str__": str,
    "__iter__": iter,
    "__getitem__": lambda target, key: target[key],
    "__contains__": lambda target, item: item in target,
}


def numpy_plain(v, t):
    """numpy's own arrays and scalars as plain values (solutions return them by habit)."""
    np = sys.modules.get("numpy")
    ndarray = getattr(np, "ndarray", None)
    generic = getattr(np, "generic", None)
    if not isinstance(ndarray, type) or not isinstance(generic, type):
        return NOT_NUMPY
    if t is ndarray:
        return ndarray.tolist(v)
    scalar_types = getattr(np, "sctypeDict", None)
    if isinstance(scalar_types, dict) and any(t is s for s in scalar_types.values()):
        return generic.tolist(v)
    return NOT_NUMPY


def decoder(objects):
    def dec(v):
        t = _type(v)
        if t is list:
            return [dec(x) for x in v]
        if t is not dict:
            return v
        if "t" in v:
            return tuple(dec(x) for x in v["t"])
        if "d" in v:
            return {dec(k): dec(x) for k, x in v["d"]}
        if "s" in v:
            return {dec(x) for x in v["s"]}
        if "f" in v:
            return frozenset(dec(x) for x in v["f"])
        if "i" in v:
            return int(v["i"], 16)
        if "j" in v:
            return complex(*v["j"])
        if "h" in v:
            return objects.by_id[v["h"]]
        raise ValueError(f"unknown value tag {sorted(v)}")

    return dec


def announce(module, enc):
    """The program's top-level names, each with what the test process makes of it.

    A plain value is copied as it is once the program's module code ran; a name whose value
    cannot cross (an object of a library's) is left out, so test code that uses it reads a
    NameError naming it.
    """
    names = []
    for name, value in list(vars(module).items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        if isinstance(value, types.ModuleType):
            names.append([name, "module", value.__name__])
        elif isinstance(value, type) and issubclass(value, BaseException):
            bases = [c.__name__ for c in value.__mro__ if c.__module__ == "builtins"]
            names.append([name, "exception", bases])
        elif isinstance(value, type):
            names.append([name, "class", value.__qualname__])
        elif callable(value) and _type(value).__module__ != MODULE_NAME:
            names.append([name, "function", None])
        else:
            try:
                names.append([name, "value", enc(value)])
            except NotPlain:
                pass
    return names


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("serve.py: usage: python3 serve.py <file> [args...]\n")
        sys.exit(2)
    file = sys.argv[1]
    marker = os.environ.pop("VERDICT_COVERAGE_MARKER", None)
    # The tracer only when coverage is asked for: its imports cost every test some 17 ms.
    cover = load_sibling("cover") if marker else None
    path = os.path.abspath(file)
    module = new_module(path)
    sys.modules[MODULE_NAME] = module
    sys.argv = [file, *sys.argv[2:]]
    sys.path[0] = os.path.dirname(path)
    coverage = cover.LineCoverage() if cover else None
    if coverage:
        coverage.start()
    # An exception here is the program's: Python prints its traceback and exits 1, as
    # `python3 main.py` would, and the test process reads the end of the channel.
    exec_file(module)

    objects = Objects()
    enc = encoder(objects, numpy_plain)
    dec = decoder(objects)
    send({"names": announce(module, enc)})

    def resolve(ref):
        if "n" in ref:
            return vars(module)[ref["n"]]
        return objects.by_id[ref["h"]]

    def answer(request):
        op = request["op"]
        target = resolve(request["target"])
        if op == "get":
            value = getattr(target, request["name"])
            if callable(value) and not isinstance(value, type) and _type(value).__module__ != MODULE_NAME:
                return {"callable": True}
            return {"value": enc(value)}
        if op == "next":
            try:
                return {"value": enc(next(target))}
            except StopIteration:
                return {"stop": True}
        if op == "dunder":
            # Python's own rules for each (truth without __bool__ is __len__, then True), run here.
            operation = DUNDERS[request["name"]]
            return {"value": enc(operation(target, *[dec(a) for a in request["args"]]))}
        if op == "call":
            if "name" in request:
                target = getattr(target, request["name"])
            args = [dec(a) for a in request["args"]]
            kwargs = {k: dec(v) for k, v in request["kwargs"]}
            value = target(*args, **kwargs)
            if _type(value) not in (int, str, float, bool, list, tuple, dict, set, type(None)):
                import inspect

                if inspect.iscoroutine(value):
                    import asyncio

                    value = asyncio.run(value)
            back = [[i, enc(a)] for i, a in enumerate(args) if _type(a) in (list, dict, set)]
            back += [[k, enc(a)] for k, a in kwargs.items() if _type(a) in (list, dict, set)]
            return {"value": enc(value), "back": back}
        raise ValueError(f"unknown op {op!r}")

    while True:
        request = receive()
        if request["op"] == "end":
            if coverage:
                coverage.stop()
                cover.write_block(marker, _dumps({"coverage": coverage.report()}))
            else:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except Exception:
                        pass
            send({"value": None})
            # No interpreter shutdown: the program's atexit handlers and threads have nothing to add.
            _exit(0)
        try:
            reply = answer(request)
        except NotPlain as error:
            reply = {"not_plain": str(error)}
        except Exception as error:
            # The program's exception, crossing to the test code by type and message; its
            # traceback stays here, on the program's stderr, where a failure is located.
            import traceback

            tb = error.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
                tb = tb.tb_next
            traceback.print_exception(_type(error), error, tb)
            kind = _type(error)
            try:
                message = str(error)
            except Exception:
                message = f"<{kind.__qualname__}: its str() raised>"
            reply = {"raise": {"type": kind.__qualname__, "module": kind.__module__, "message": message}}
        send(reply)


if __name__ == "__main__":
    main()
