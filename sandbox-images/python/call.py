"""Function-call tests: calls one function of a Python program and reports its return value.

    python3 call.py <file> <entry>    (entry: `name`, or `Class.method` on Class())

stdin: {"marker": "<random>", "args": [...], "kwargs": {...}, "coverage": false,
        "maxBytes": 16777216}   (all but marker optional)

The program is loaded as module __verdict_candidate__ (its `if __name__ == "__main__"` block
does not run) and the entry called. Once it returns (an awaitable is run with asyncio.run),
everything it printed is flushed and "\\n<marker>\\n<json>\\n" is written to stdout:
{"ok": true, "value": ...} or {"ok": false, "error": "..."}, with "coverage": {"main.py":
[lines]} when asked for. Then the process ends at once with status 0.

The value is encoded strictly, never calling a method of the program's: only exact None,
bool, int, float, str, list, tuple (as a list) and dict with str keys. Ints beyond
+-(2**53 - 1) become {"$int": "<decimal>"}, NaN and infinities {"$float": "nan"|"inf"|"-inf"},
since JSON has neither. Anything else (an int subclass with a rigged __eq__, a set, bytes, an
object) is ok: false, with where it is.

An exception of the program's, on import or in the call, is not caught: Python prints its
traceback and exits 1, as `python3 main.py` would. sys.exit() in the program ends the process
without a result line. A request the service got wrong: a message on stderr, exit 2.
"""
import json
import math
import os
import sys

MAX_DEPTH = 1000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
SAFE_INT = 2**53 - 1
MODULE_NAME = "__verdict_candidate__"

# Bound now, before the program runs in this process and can rebind any of them.
_type = type
_str = str
_int = int
_float = float
_bool = bool
_list = list
_tuple = tuple
_dict = dict
_NoneType = type(None)
_enumerate = enumerate
_len = len
_int_repr = int.__repr__
_float_repr = float.__repr__
_encode_str = json.encoder.encode_basestring_ascii
_dumps = json.dumps
_type_name = type.__dict__["__qualname__"].__get__
_isidentifier = str.isidentifier
_isfinite = math.isfinite
_set = set
_map = map
_min = min
_max = max
_all = all
_exit = os._exit
_set_int_max_str_digits = getattr(sys, "set_int_max_str_digits", None)
_JSON_TYPES = (str, int, float, bool, list, tuple, dict, type(None))
_INF = float("inf")


def bad_request(message):
    sys.stderr.write(f"call.py: bad request: {message}\n")
    sys.exit(2)


class NotJSON(Exception):
    pass


def where(trail):
    """[2].key for the path from the return value down to the offending part."""
    out = []
    for step in trail:
        if _type(step) is _int:
            out.append(f"[{step}]")
        elif _isidentifier(step):
            out.append(f".{step}")
        else:
            out.append(f"[{_encode_str(step)}]")
    return "".join(out)


def a(name):
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def type_phrase(value):
    t = _type(value)
    name = _type_name(t)
    # A subclass of a JSON type is named for what it is: its methods (say a rigged __eq__)
    # are why it is refused.
    for base in _JSON_TYPES:
        if t is not base and issubclass(t, base):
            return f"{a(name)} (a subclass of {_type_name(base)})"
    return a(name)


def not_json(trail, value):
    if not trail:
        return NotJSON(f"the return value is {type_phrase(value)}, which is not a JSON value")
    return NotJSON(f"the return value contains {type_phrase(value)} at {where(trail)}, which is not a JSON value")


_NOT_NUMPY = object()


def numpy_plain(v, t):
    """A numpy array or scalar as plain Python values, by numpy's own tolist; else _NOT_NUMPY.

    Solutions return numpy values by habit (np.int64 from a sum, an ndarray of results).
    Only numpy's exact classes qualify, converted by numpy's method looked up on numpy's
    class, never the value's own; what comes out is checked like any other value.
    """
    np = sys.modules.get("numpy")
    ndarray = getattr(np, "ndarray", None)
    generic = getattr(np, "generic", None)
    if not isinstance(ndarray, type) or not isinstance(generic, type):
        return _NOT_NUMPY
    if t is ndarray:
        return ndarray.tolist(v)
    # numpy's own scalar types, by identity: a class that merely calls itself numpy's is not one.
    scalar_types = getattr(np, "sctypeDict", None)
    if isinstance(scalar_types, dict) and any(t is s for s in dict.values(scalar_types)):
        return generic.tolist(v)
    return _NOT_NUMPY


def encode(value, max_bytes):
    """The value's JSON text; NotJSON when it holds anything but exact JSON types.

    No method of the value's runs: each type is compared by identity, and exact builtins'
    own slots encode them (a subclass could override __repr__, __iter__ or __eq__).
    """
    parts = []
    trail = []
    size = 0

    def scalar(v, t):
        if t is _str:
            return _encode_str(v)
        if t is _int:
            if -SAFE_INT <= v <= SAFE_INT:
                return _int_repr(v)
            # CPython refuses to print ints over 4300 digits by default (a DoS guard for
            # parsers); the program may have set its own limit too.
            if _set_int_max_str_digits is not None:
                _set_int_max_str_digits(0)
            return '{"$int": "' + _int_repr(v) + '"}'
        if t is _float:
            if v != v:
                return '{"$float": "nan"}'
            if v == _INF:
                return '{"$float": "inf"}'
            if v == -_INF:
                return '{"$float": "-inf"}'
            return _float_repr(v)
        if t is _bool:
            return "true" if v else "false"
        if t is _NoneType:
            return "null"
        return None

    def add(text):
        nonlocal size
        size += _len(text)
        if size > max_bytes:
            raise NotJSON(f"the return value takes more than {max_bytes} bytes as JSON")
        parts.append(text)

    def homogeneous(v):
        """A list of only ints, only strs or only floats, encoded in C; else None."""
        types = _set(_map(_type, v))
        if types == {_int}:
            if -SAFE_INT <= _min(v) and _max(v) <= SAFE_INT:
                return "[" + ",".join(_map(_int_repr, v)) + "]"
        elif types == {_str}:
            return "[" + ",".join(_map(_encode_str, v)) + "]"
        elif types == {_float}:
            if _all(_map(_isfinite, v)):
                return "[" + ",".join(_map(_float_repr, v)) + "]"
        return None

    def container(v, t, depth):
        if depth > MAX_DEPTH:
            raise NotJSON(f"the return value is nested more than {MAX_DEPTH} levels deep")
        if t is _list or t is _tuple:
            # Long flat lists are common; no per-element Python call for them.
            text = homogeneous(v) if _len(v) > 8 else None
            if text is not None:
                add(text)
                return
            add("[")
            for i, item in _enumerate(v):
                trail.append(i)
                text = scalar(item, _type(item))
                if i:
                    add(",")
                if text is None:
                    container(item, _type(item), depth + 1)
                else:
                    add(text)
                trail.pop()
            add("]")
        elif t is _dict:
            add("{")
            first = True
            for key, item in _dict.items(v):
                if _type(key) is not _str:
                    at = f" at {where(trail)}" if trail else ""
                    raise NotJSON(f"the return value has a dict key that is {type_phrase(key)}{at}; JSON object keys are strings")
                trail.append(key)
                text = scalar(item, _type(item))
                add(("" if first else ",") + _encode_str(key) + ":")
                first = False
                if text is None:
                    container(item, _type(item), depth + 1)
                else:
                    add(text)
                trail.pop()
            add("}")
        else:
            plain = numpy_plain(v, t)
            if plain is _NOT_NUMPY:
                raise not_json(trail, v)
            text = scalar(plain, _type(plain))
            if text is None:
                container(plain, _type(plain), depth + 1)
            else:
                add(text)

    limit = sys.getrecursionlimit()
    # Nesting up to MAX_DEPTH recurses that deep, whatever limit the program set.
    sys.setrecursionlimit(max(limit, MAX_DEPTH + 200))
    try:
        text = scalar(value, _type(value))
        if text is None:
            container(value, _type(value), 1)
        else:
            add(text)
    finally:
        sys.setrecursionlimit(limit)
    return "".join(parts)


def load_cover():
    """cover.py from beside this file, under a name no program module can take or shadow."""
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_verdict_cover", os.path.join(here, "cover.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_request():
    if len(sys.argv) != 3:
        bad_request("usage: python3 call.py <file> <entry>, with the request on stdin")
    file, entry = sys.argv[1], sys.argv[2]
    names = entry.split(".")
    if len(names) > 2 or not all(_isidentifier(n) for n in names):
        bad_request(f"entry {entry!r} is not `name` or `Class.method`")
    try:
        request = json.loads(sys.stdin.buffer.read())
    except ValueError as error:
        bad_request(f"stdin is not JSON: {error}")
    if _type(request) is not _dict:
        bad_request("stdin is not a JSON object")
    marker = request.get("marker")
    if _type(marker) is not _str or not marker or not marker.isprintable() or not marker.isascii():
        bad_request("marker must be a non-empty line of printable ASCII")
    args = request.get("args", [])
    kwargs = request.get("kwargs", {})
    if _type(args) is not _list or _type(kwargs) is not _dict:
        bad_request("args must be an array and kwargs an object")
    max_bytes = request.get("maxBytes", DEFAULT_MAX_BYTES)
    if _type(max_bytes) is not _int or max_bytes <= 0:
        bad_request("maxBytes must be a positive integer")
    return file, names, marker, args, kwargs, request.get("coverage") is True, max_bytes


def empty_stdin():
    """The request was the whole of stdin: the program reads an empty one, by fd as well."""
    null = os.open(os.devnull, os.O_RDONLY)
    if null != 0:
        os.dup2(null, 0)
        os.close(null)
    # A file on fd 0 rather than io.StringIO(""): programs read sys.stdin.buffer too.
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)


def find_entry(module, names, file):
    """The callable to call, or a message saying why there is none."""
    label = os.path.basename(file)
    # The module's own names, not getattr: a module __getattr__ does not make a definition.
    target = vars(module).get(names[0], find_entry)
    if target is find_entry:
        return None, f"{label} defines no top-level name {names[0]!r}"
    if len(names) == 2:
        if not isinstance(target, type):
            return None, f"{names[0]!r} in {label} is {a(_type_name(_type(target)))}, not a class"
        instance = target()
        method = getattr(instance, names[1], find_entry)
        if method is find_entry:
            return None, f"{names[0]} has no attribute {names[1]!r}"
        target = method
    if not callable(target):
        return None, f"{'.'.join(names)!r} in {label} is {a(_type_name(_type(target)))}, not a function"
    return target, None


def main():
    file, names, marker, args, kwargs, want_coverage, max_bytes = read_request()
    empty_stdin()
    cover = load_cover()
    path = os.path.abspath(file)
    module = cover.new_module(MODULE_NAME, path)
    # Registered, unlike runpy.run_path's module: pickle, dataclasses and typing find the
    # program's classes and functions through sys.modules[obj.__module__].
    sys.modules[MODULE_NAME] = module
    sys.argv = [file]
    # The program's own directory first, as for `python3 main.py` (not this script's).
    sys.path[0] = os.path.dirname(path)

    coverage = cover.LineCoverage() if want_coverage else None
    if coverage:
        coverage.start()
    cover.exec_file(module)
    target, problem = find_entry(module, names, file)
    if target is not None:
        value = target(*args, **kwargs)
        if _type(value) not in _JSON_TYPES:
            import inspect

            if inspect.isawaitable(value):
                import asyncio

                if not inspect.iscoroutine(value):
                    value = _await(value)
                value = asyncio.run(value)
    if coverage:
        coverage.stop()

    if problem is None:
        try:
            result = '{"ok": true, "value": ' + encode(value, max_bytes)
        except NotJSON as error:
            problem = str(error)
    if problem is not None:
        result = '{"ok": false, "error": ' + _dumps(problem)
    if coverage:
        result += ', "coverage": ' + _dumps(coverage.report())
    cover.write_block(marker, result + "}")
    # Ends here, skipping the interpreter's shutdown: the program's atexit handlers cannot
    # print after the result (or fake one), change the exit status, or wait on its
    # non-daemon threads. Nothing of the call is lost: its output was flushed above.
    _exit(0)


async def _await(awaitable):
    return await awaitable


if __name__ == "__main__":
    main()
