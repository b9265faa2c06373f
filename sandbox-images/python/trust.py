"""The trusted side of a paired test: runs the test code against the program in another process.

    python3 -I -B trust.py       stdin: {"testCode": "..."}    fd 3: from serve.py, fd 4: to it

The supervisor starts this process as a user of its own, beside the candidate's (serve.py), and
joins them by two pipes only: the candidate can neither signal, trace nor read this process, and
nothing it does to its own changes what this one reports. The test code runs here, with the
program's top-level names standing for the program's: functions and classes are called across
the pipes, their instances and iterators are handles, plain values (exactly int, float, str,
bool, None, list, tuple, dict, set, frozenset) are copied both ways, lists, dicts and sets passed
to a call are updated as the call left them, and an exception of the program's is raised here
by its type and message. Assertions are on whatever the candidate does: -I ignores PYTHON*
variables (PYTHONOPTIMIZE), and no hook of the candidate's runs in this process.

The last line of stdout is the report, JSON:
  {"outcome": "passed" | "failed" | "raised" | "ended" | "not_plain" | "cannot_cross" | "broken",
   "message": "...", "output": "what the test code printed", "stderr": "the test code's traceback"}
failed: an AssertionError ended the test code; raised: another exception did (the program's
included); ended: the program's process ended before it answered; not_plain: it answered with a
value that cannot cross; cannot_cross: the test code passed it one; broken: it spoke out of turn.
"""
import builtins
import io
import json
import os
import struct
import sys

# ast, importlib, linecache and traceback are imported where they are needed (a builtin the
# program redefines, a module or library exception to import, a failure to describe): each
# costs milliseconds of every test's start-up, and most tests need none of them.

TEST_FILE = "<test code>"
MAX_FRAME_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 1000
MAX_MESSAGE_CHARS = 2000
MAX_OUTPUT_CHARS = 64 * 1024
PLAIN = (int, float, str, bool, type(None))


class Fatal(BaseException):
    """Ends the test code whatever it catches: a BaseException, and latched in `fatal` too."""

    def __init__(self, outcome, message):
        super().__init__(message)
        self.outcome = outcome
        self.message = message


fatal = None


def stop(outcome, message):
    global fatal
    if fatal is None:
        fatal = Fatal(outcome, message)
    raise fatal


def read_exact(n):
    chunks = []
    while n > 0:
        chunk = os.read(3, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class Channel:
    def __init__(self):
        self.current = "loading"

    def receive(self):
        head = read_exact(4)
        if head is None:
            stop("ended", f"the program ended during {self.current}")
        (length,) = struct.unpack(">I", head)
        if length > MAX_FRAME_BYTES:
            stop("not_plain", f"the program's answer to {self.current} takes more than {MAX_FRAME_BYTES} bytes")
        body = read_exact(length)
        if body is None:
            stop("ended", f"the program ended during {self.current}")
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            stop("broken", f"the program's answer to {self.current} is not readable: {error}")

    def ask(self, request, what):
        self.current = what
        data = json.dumps(request, separators=(",", ":")).encode("utf-8")
        try:
            write_all(struct.pack(">I", len(data)) + data)
        except BrokenPipeError:
            stop("ended", f"the program ended before {what}")
        reply = self.receive()
        if type(reply) is not dict:
            stop("broken", f"the program's answer to {what} is not an object")
        return reply


def write_all(data):
    view = memoryview(data)
    while view:
        view = view[os.write(4, view) :]


channel = Channel()
handles = {}


def clip(text):
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"


# ---------- values: decoded strictly (only plain types are built), encoded strictly ----------


BIG = 1 << 63


def decode(v, depth=0):
    t = type(v)
    if t in PLAIN:
        return v
    if depth > MAX_DEPTH:
        stop("not_plain", f"the program's answer to {channel.current} is nested more than {MAX_DEPTH} levels deep")
    if t is list:
        return [decode(x, depth + 1) for x in v]
    if t is dict and len(v) == 1:
        (tag, body), = v.items()
        if tag == "t" and type(body) is list:
            return tuple(decode(x, depth + 1) for x in body)
        if tag == "d" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    break
                out[hashable(decode(pair[0], depth + 1))] = decode(pair[1], depth + 1)
            else:
                return out
        if tag in ("s", "f") and type(body) is list:
            items = [hashable(decode(x, depth + 1)) for x in body]
            return set(items) if tag == "s" else frozenset(items)
        if tag == "g" and type(body) is int:
            return handle(body, None)
        if tag == "i" and type(body) is str and 0 < len(body) and body.lstrip("-").isalnum():
            try:
                return int(body, 16)
            except ValueError:
                pass
        if tag == "j" and type(body) is list and len(body) == 2 and all(type(x) in (int, float) for x in body):
            return complex(body[0], body[1])
    if t is dict and len(v) == 2 and type(v.get("h")) is int and type(v.get("c")) is str:
        return handle(v["h"], v["c"])
    stop("broken", f"the program's answer to {channel.current} holds a value no program can send: {clip(json.dumps(v))}")


def hashable(value):
    try:
        hash(value)
    except TypeError:
        stop("broken", f"the program's answer to {channel.current} uses an unhashable key")
    return value


def encode(v, what, depth=0):
    t = type(v)
    if t is int:
        return v if -BIG < v < BIG else {"i": format(v, "x")}
    if t in PLAIN:
        return v
    if t is complex:
        return {"j": [v.real, v.imag]}
    if depth > MAX_DEPTH:
        stop("cannot_cross", f"the test code passed {what} a value nested more than {MAX_DEPTH} levels deep")
    if t is list:
        return [encode(x, what, depth + 1) for x in v]
    if t is tuple:
        return {"t": [encode(x, what, depth + 1) for x in v]}
    if t is dict:
        return {"d": [[encode(k, what, depth + 1), encode(x, what, depth + 1)] for k, x in v.items()]}
    if t is set:
        return {"s": [encode(x, what, depth + 1) for x in v]}
    if t is frozenset:
        return {"f": [encode(x, what, depth + 1) for x in v]}
    if t is Handle or t is Iterator:
        return {"h": object.__getattribute__(v, "_id")}
    # The test code's own subclass of a plain type (a Counter, a namedtuple) crosses as that type.
    for base in (int, float, str, complex, dict, list, tuple, frozenset, set):
        if isinstance(v, base):
            return encode(dict(v) if base is dict else base(v), what, depth + 1)
    name = t.__qualname__
    stop("cannot_cross", f"the test code passed {what} {'an' if name[:1].lower() in 'aeiou' else 'a'} {name}, which cannot cross to the program (only plain values and the program's own objects do)")


def update_in_place(args, kwargs, back):
    """Lists, dicts and sets the call was given, as it left them."""
    if type(back) is not list:
        stop("broken", f"the program's answer to {channel.current} is malformed")
    for entry in back:
        if type(entry) is not list or len(entry) != 2:
            stop("broken", f"the program's answer to {channel.current} is malformed")
        key, value = entry
        if type(key) is int and 0 <= key < len(args):
            target = args[key]
        elif type(key) is str and key in kwargs:
            target = kwargs[key]
        else:
            stop("broken", f"the program's answer to {channel.current} is malformed")
        value = decode(value)
        if type(target) is not type(value):
            stop("broken", f"the program's answer to {channel.current} is malformed")
        if type(target) is list:
            target[:] = value
        else:
            target.clear()
            target.update(value)


# ---------- exceptions of the program's, raised here by type and message ----------

stand_ins = {}


def exception_class(name, module):
    if module == "builtins":
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls
    elif module == "__verdict_candidate__" and name in stand_ins:
        return stand_ins[name]
    elif module != "__verdict_candidate__":
        # A library's exception (json.JSONDecodeError): the same class here, when this process
        # can import it; only Exception subclasses, so no answer raises SystemExit here.
        try:
            import importlib

            cls = importlib.import_module(module)
            for part in name.split("."):
                cls = getattr(cls, part)
            if isinstance(cls, type) and issubclass(cls, Exception):
                return cls
        except Exception:
            pass
    return stand_ins.setdefault((module, name), type(name, (Exception,), {"__module__": module}))


def raise_from(reply):
    error = reply.get("raise")
    if type(error) is not dict or type(error.get("type")) is not str or type(error.get("module")) is not str or type(error.get("message")) is not str:
        stop("broken", f"the program's answer to {channel.current} is malformed")
    cls = exception_class(error["type"], error["module"])
    try:
        instance = cls(error["message"])
    except Exception:
        instance = Exception(f"{error['type']}: {error['message']}")
    # Raised by the program, not by a check of the test code: its own assert stays a runtime error.
    try:
        instance.__verdict_from_program__ = True
    except Exception:
        pass
    raise instance


def result(reply, args=(), kwargs=None):
    if "value" in reply:
        if "back" in reply:
            update_in_place(args, kwargs or {}, reply["back"])
        return decode(reply["value"])
    if "raise" in reply:
        raise_from(reply)
    if type(reply.get("not_plain")) is str:
        stop("not_plain", f"{channel.current} returned {clip(reply['not_plain'])}, which cannot cross to the test code")
    stop("broken", f"the program's answer to {channel.current} is malformed")


def call(target, what, args, kwargs, name=None):
    request = {"op": "call", "target": target, "args": [encode(a, what) for a in args], "kwargs": [[k, encode(v, what)] for k, v in kwargs.items()]}
    if name is not None:
        request["name"] = name
    return result(channel.ask(request, f"a call of {what}"), args, kwargs)


# ---------- proxies: what the test code holds for the program's names and objects ----------


class Function:
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        return call({"n": self._name}, f"{self._name}()", args, kwargs)

    def __repr__(self):
        return f"<the program's {self._name}>"


class Class(Function):
    __slots__ = ()

    def __getattr__(self, attr):
        # A static or class method called on the class (Solution.helper(...)).
        name = object.__getattribute__(self, "_name")
        return lambda *args, **kwargs: call({"n": name}, f"{name}.{attr}()", args, kwargs, attr)


def handle(key, cls):
    if key not in handles:
        handles[key] = Handle(key, cls) if cls is not None else Iterator(key)
    return handles[key]


def remote_dunder(name):
    def method(self, *args):
        key = object.__getattribute__(self, "_id")
        what = f"{name} of {self!r}"
        reply = channel.ask({"op": "dunder", "target": {"h": key}, "name": name, "args": [encode(a, what) for a in args]}, what)
        return result(reply)

    return method


class Handle:
    """An object of the program's, kept in its process. Equal to itself only: its __eq__ is never asked."""

    __slots__ = ("_id", "_cls")

    def __init__(self, key, cls):
        object.__setattr__(self, "_id", key)
        object.__setattr__(self, "_cls", cls)

    def __getattr__(self, attr):
        key = object.__getattribute__(self, "_id")
        cls = object.__getattribute__(self, "_cls")
        reply = channel.ask({"op": "get", "target": {"h": key}, "name": attr}, f"{cls}.{attr}")
        if reply.get("callable") is True:
            return lambda *args, **kwargs: call({"h": key}, f"{cls}.{attr}()", args, kwargs, attr)
        return result(reply)

    def __setattr__(self, attr, value):
        stop("cannot_cross", f"the test code sets {attr} on the program's {object.__getattribute__(self, '_cls')}, which stays in the program's process")

    def __call__(self, *args, **kwargs):
        return call({"h": object.__getattribute__(self, "_id")}, f"{self!r}()", args, kwargs)

    def __repr__(self):
        return f"<the program's {object.__getattribute__(self, '_cls')} object>"

    __len__ = remote_dunder("__len__")
    __getitem__ = remote_dunder("__getitem__")
    __contains__ = remote_dunder("__contains__")
    __str__ = remote_dunder("__str__")
    __bool__ = remote_dunder("__bool__")
    __iter__ = remote_dunder("__iter__")


class Iterator:
    """An iterator or generator of the program's: consumed across the boundary, one item per call."""

    __slots__ = ("_id",)

    def __init__(self, key):
        self._id = key

    def __iter__(self):
        return self

    def __next__(self):
        reply = channel.ask({"op": "next", "target": {"h": self._id}}, "the next item of the program's iterator")
        if reply.get("stop") is True:
            raise StopIteration
        return result(reply)

    def __repr__(self):
        return "<the program's iterator>"


def namespace(names, referenced_of):
    """
    The test code's globals: the program's names standing for the program's. A builtin the
    program redefines (abs, len, set, isinstance…) stays the builtin, since test code checks with
    them and the program's would answer for its own check, unless it is the one name of the
    program's the test code uses: then it is the function under test (MBPP's `sum`).
    """
    scope = {"__name__": "__main__", "__builtins__": builtins}
    if type(names) is not list:
        stop("broken", "the program's names are malformed")
    for entry in names:
        if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str or not entry[0].isidentifier():
            stop("broken", "the program's names are malformed")
    subject = None
    if any(hasattr(builtins, entry[0]) for entry in names):
        referenced = referenced_of()
        # Modules are imported here again, never the program's: they do not count.
        used = [entry[0] for entry in names if entry[0] in referenced and entry[1] != "module"]
        subject = used[0] if len(used) == 1 else None
    for name, kind, detail in names:
        if hasattr(builtins, name) and name != subject:
            continue
        if kind == "function":
            scope[name] = Function(name)
        elif kind == "class":
            scope[name] = Class(name)
        elif kind == "exception":
            bases = [getattr(builtins, b, None) for b in detail] if type(detail) is list else []
            base = next((b for b in bases if isinstance(b, type) and issubclass(b, Exception)), Exception)
            scope[name] = stand_ins[name] = type(name, (base,), {"__module__": "__verdict_candidate__"})
        elif kind == "module" and type(detail) is str:
            # This process's own copy of the module the program imported (HumanEval's tests use
            # the prompt's `import math`); one it cannot import (the program's own) is left out.
            try:
                import importlib

                scope[name] = importlib.import_module(detail)
            except Exception:
                pass
        elif kind == "value":
            scope[name] = decode(detail)
    return scope


class Output(io.TextIOBase):
    """What the test code prints, kept up to MAX_OUTPUT_CHARS for the report."""

    def __init__(self):
        self.parts = []
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < MAX_OUTPUT_CHARS:
            self.parts.append(text[: MAX_OUTPUT_CHARS - self.size])
            self.size += len(self.parts[-1])
        return len(text)

    def text(self):
        return "".join(self.parts)


def where_in_test(tb):
    """The test code's line the exception came through last: "line 5: assert f(2) == 4"."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEST_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None:
        return ""
    text = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
    return f" at line {line} of the test code: {clip(text)}"


source_lines = []


def referenced_names(test_code):
    """Every name the test code reads or writes (parsed only when a builtin's name is in question)."""
    import ast

    try:
        return {node.id for node in ast.walk(ast.parse(test_code, TEST_FILE)) if type(node) is ast.Name}
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Compiled, yet too deep to parse again: no builtin is the program's then.
        return set()


def run(test_code, output):
    hello = channel.receive()
    source_lines[:] = test_code.splitlines(True)
    try:
        code = compile(test_code, TEST_FILE, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return {"outcome": "raised", "message": clip(f"the test code does not compile: {error!r}")}
    scope = namespace(hello.get("names") if type(hello) is dict else None, lambda: referenced_names(test_code))
    channel.current = "the test code"
    try:
        exec(code, scope)
    except Fatal:
        raise
    except SystemExit as error:
        # unittest.main() ends so: 0 or None when every test passed.
        if error.code in (0, None) and fatal is None:
            return {"outcome": "passed"}
        return {"outcome": "failed", "message": clip(f"the test code exited with {error.code!r}")}
    except BaseException as error:
        failed = isinstance(error, AssertionError) and not getattr(error, "__verdict_from_program__", False)
        detail = f": {error}" if str(error) else ""
        return {
            "outcome": "failed" if failed else "raised",
            "message": clip(f"{type(error).__name__}{detail}{where_in_test(error.__traceback__)}"),
            "stderr": test_traceback(error),
        }
    return {"outcome": "passed"}


def test_traceback(error):
    """The traceback from the test code's first frame on (this runner's own frames left out), bounded."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != TEST_FILE:
        tb = tb.tb_next
    import linecache
    import traceback

    linecache.cache[TEST_FILE] = (sum(len(line) for line in source_lines), None, source_lines, TEST_FILE)
    text = "".join(traceback.format_exception(type(error), error, tb))
    return text if len(text) <= MAX_OUTPUT_CHARS else text[: MAX_OUTPUT_CHARS // 2] + "\n…\n" + text[-MAX_OUTPUT_CHARS // 2 :]


def main():
    request = json.loads(sys.stdin.buffer.read())
    test_code = request["testCode"]
    report_fd = os.dup(1)
    output = Output()
    sys.stdout = sys.stderr = output
    try:
        report = run(test_code, output)
        # The test code may have caught what ended the program: the latch says it did.
        if fatal is not None:
            raise fatal
        # The program's coverage (when traced) is written before it answers this.
        channel.ask({"op": "end"}, "the end of the tests")
    except Fatal as error:
        report = {"outcome": error.outcome, "message": clip(error.message)}
    report["output"] = output.text()
    data = ("\n" + json.dumps(report) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(report_fd, view) :]
    os._exit(0)


if __name__ == "__main__":
    main()
