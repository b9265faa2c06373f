"""Line coverage of a Python program, for the lines of its own files under /box.

    VERDICT_COVERAGE_MARKER=<marker> python3 cover.py <file> [args...]

runs <file> as `python3 <file> [args...]` would, then writes, after everything else the
process prints, "\\n<marker>\\n{"coverage": {"main.py": [1, 2, 5], ...}}\\n" to stdout.
The block is written at interpreter exit, so it follows an uncaught exception's traceback
and a sys.exit(n) too, whose exit status is kept; os._exit() and a kill skip it, and the
caller then knows the coverage is unknown rather than partial.

call.py imports this file for the same tracer and loader.
"""
import ast
import atexit
import builtins
import importlib.machinery
import json
import os
import sys
import threading
import types

BOX = "/box/"

# Bound now: the candidate's code runs in this process and may rebind or delete the
# module attributes (by accident, say a helper named `write`) before the report is made.
_write = os.write
_dumps = json.dumps
_settrace = sys.settrace
_thread_settrace = threading.settrace
_relpath = os.path.relpath
_sorted = sorted
_list = list
_parse = ast.parse
_walk = ast.walk
_stmt = ast.stmt
_If = ast.If


def _code_lines(text_lines, first, last):
    """Lines in first..last holding code (an `else:`), not blank or only a comment."""
    for n in range(max(first, 1), min(last, len(text_lines)) + 1):
        stripped = text_lines[n - 1].strip()
        if stripped and not stripped.startswith(b"#"):
            yield n


def complete_lines(path, executed):
    """The tracer's lines, plus the lines Python runs without a line event of their own.

    CPython reports one line per statement: the continuation lines of a statement written
    over several lines, the header lines after the first of a compound statement, and clause
    keywords (`else:`, `try:`, `finally:`) never appear although they ran. A labeler would
    read them as unexecuted, so they are filled in from the program's own AST: all lines of a
    simple statement that ran, a header whose statement or body ran, a clause whose block ran.
    """
    try:
        with open(path, "rb") as f:
            source = f.read()
        tree = _parse(source)
    except Exception:
        return executed
    text_lines = source.splitlines()
    out = set(executed)
    for node in _walk(tree):
        if not isinstance(node, _stmt):
            continue
        body = getattr(node, "body", None)
        if not (isinstance(body, _list) and body and isinstance(body[0], _stmt)):
            span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if any(n in out for n in span):
                out.update(span)
            continue
        first = body[0].lineno
        if node.lineno in out or first in out:
            out.update(range(node.lineno, max(node.lineno, first - 1) + 1))
        # Each later block (else, except, finally) is introduced by keyword lines just before it.
        blocks = [body]
        blocks += [h.body for h in getattr(node, "handlers", []) or []]
        blocks += [getattr(node, "orelse", []) or [], getattr(node, "finalbody", []) or []]
        previous = body
        for block in blocks[1:]:
            if not block:
                continue
            if isinstance(node, _If) and block is node.orelse and isinstance(block[0], _If) and _is_elif(text_lines, block[0]):
                previous = block
                continue
            if block[0].lineno in out:
                out.update(_code_lines(text_lines, (previous[-1].end_lineno or previous[-1].lineno) + 1, block[0].lineno - 1))
            previous = block
    return out


def _is_elif(text_lines, node):
    """An `elif` is its own If statement with a traced line: no keyword line to fill in."""
    line = text_lines[node.lineno - 1].lstrip() if node.lineno <= len(text_lines) else b""
    return line.startswith(b"elif")


class LineCoverage:
    """Executed lines of code objects whose file is under `root`, per file.

    A global trace function sees every call but answers only for frames of files under
    the root, so the standard library and site-packages run without line events: tracing
    costs a dictionary look-up per call there, not a Python call per line.
    """

    def __init__(self, root=BOX):
        self.root = root
        self.files = {}
        self._tracers = {}

    def _tracer_for(self, filename):
        if not filename.startswith(self.root):
            return None
        add = self.files.setdefault(filename, set()).add

        def trace_line(frame, event, arg):
            if event == "line":
                add(frame.f_lineno)
            return trace_line

        return trace_line

    def start(self):
        tracers = self._tracers
        tracer_for = self._tracer_for

        def trace_call(frame, event, arg):
            filename = frame.f_code.co_filename
            try:
                return tracers[filename]
            except KeyError:
                tracer = tracers[filename] = tracer_for(filename)
                return tracer

        # threading's hook covers threads started from now on; the running ones are ours.
        _thread_settrace(trace_call)
        _settrace(trace_call)

    def stop(self):
        _settrace(None)
        _thread_settrace(None)

    def report(self):
        """{path relative to the root: sorted line numbers}, for JSON."""
        out = {}
        # list() copies in one C call: a daemon thread still running may add lines meanwhile.
        for filename, lines in _list(self.files.items()):
            executed = complete_lines(filename, set(n for n in _list(lines) if n is not None))
            out[_relpath(filename, self.root)] = _sorted(executed)
        return dict(_sorted(out.items()))


def new_module(name, path):
    """An empty module for the program at `path`, as `python3 path` would set it up."""
    module = types.ModuleType(name)
    module.__file__ = path
    module.__cached__ = None
    module.__loader__ = importlib.machinery.SourceFileLoader(name, path)
    module.__builtins__ = builtins
    return module


def exec_file(module):
    """Runs the module's file in it. Its exceptions, SyntaxError included, are the caller's."""
    with open(module.__file__, "rb") as source:
        # Bytes, not text: compile() then decodes as Python does (a coding cookie, a BOM).
        code = compile(source.read(), module.__file__, "exec", dont_inherit=True)
    exec(code, module.__dict__)


def write_block(marker, payload):
    """Writes "\\n<marker>\\n<payload as JSON>\\n" straight to fd 1, after what the program printed."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
    data = memoryview(b"\n" + marker.encode("utf-8") + b"\n" + payload.encode("ascii") + b"\n")
    while data:
        data = data[_write(1, data):]


def main():
    marker = os.environ.pop("VERDICT_COVERAGE_MARKER", None)
    if not marker or len(sys.argv) < 2:
        sys.stderr.write("cover.py: usage: VERDICT_COVERAGE_MARKER=<marker> python3 cover.py <file> [args...]\n")
        sys.exit(2)
    file = sys.argv[1]
    path = os.path.abspath(file)
    coverage = LineCoverage()
    program = new_module("__main__", path)

    # The program replaces this module as __main__ (for pickle, multiprocessing and its
    # `if __name__ == "__main__"`); the report holds on to it.
    this = sys.modules["__main__"]

    def report():
        coverage.stop()
        write_block(marker, _dumps({"coverage": coverage.report()}))
        return this

    # Registered before the program's own handlers: atexit runs them last in, first out, so
    # this one runs after them (their lines count) and after the interpreter has printed an
    # uncaught exception's traceback or taken sys.exit's status, both of which it keeps.
    atexit.register(report)

    sys.argv = [file, *sys.argv[2:]]
    sys.path[0] = os.path.dirname(path)
    sys.modules["__main__"] = program
    coverage.start()
    exec_file(program)


if __name__ == "__main__":
    main()
