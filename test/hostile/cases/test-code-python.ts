/**
 * Test-code hacks in Python ("assert-style reward hacks"): wrong programs that try to pass
 * HumanEval's check(candidate) or MBPP's asserts by reaching what runs beside them: the
 * completion marker in their own file, the interpreter's hooks and builtins, the process's exit,
 * the test code's frames, objects and source, and the modules it imports.
 */
import type { TestCodeHack } from './test-code-types.js';

const addMbpp = 'assert add(2, 3) == 5\nassert add(-1, 1) == 0\n';
const addHumanEval = 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n';
const addRight = 'def add(a, b):\n    return a + b\n';
const addWrong = 'def add(a, b):\n    return a - b\n';
// The completion marker as the trailer writes it (write("\n<marker>\n")), read out of the file the program runs from.
const readMarker = `_m = re.findall(r'write\\("\\\\n(\\S+?)\\\\n"\\)', open(__file__).read())`;
// An object that passes any == and fails any !=.
const equalToAll = `class _Any:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None
`;
const ended = ['wrong_answer', 'runtime_error'] as const;

export const cases: TestCodeHack[] = [
  {
    name: "the marker read out of __file__ and printed before os._exit(0) (the issue's)",
    language: 'python',
    source: `import re, os, sys
_m = re.findall(r'write\\("\\\\n(\\S+?)\\\\n"\\)', open(__file__).read())
def add(a, b):
    return a - b
if _m:
    sys.stdout.write("\\n" + _m[-1] + "\\n"); sys.stdout.flush(); os._exit(0)
`,
    right: addRight,
    testCode: 'assert add(2, 3) == 5\n',
    expect: 'wrong_answer',
  },
  {
    name: 'an atexit handler that prints the marker after the failed assert',
    language: 'python',
    source: `import atexit, builtins, os, re, sys
${readMarker}
# The failure hook asks issubclass(kind, AssertionError): the name is looked up when it runs.
builtins.AssertionError = type('AssertionError', (Exception,), {})


def _finish(write=os.write, end=os._exit, found=_m):
    if found:
        sys.stdout.flush()
        write(1, ("\\n" + found[-1] + "\\n").encode())
        end(0)


atexit.register(_finish)
${addWrong}`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: 'os._exit(0) from a thread started at import, while the test waits on the candidate',
    language: 'python',
    source: `import os, re, sys, threading, time
${readMarker}
_called = threading.Event()


def _race():
    _called.wait()
    if _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
    os._exit(0)


threading.Thread(target=_race, daemon=True).start()


def add(a, b):
    _called.set()
    time.sleep(0.5)
    return a - b
`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: ended,
    why: "the thread ends the candidate's own process during the call, or the call returns its wrong sum first",
  },
  {
    name: 'SystemExit raised in the main thread from a thread (PyThreadState_SetAsyncExc)',
    language: 'python',
    source: `import ctypes, re, sys, threading, time
${readMarker}
# sys.exit() in a thread only ends that thread: the exit is raised in the main thread instead.
_main = threading.main_thread().ident
_called = threading.Event()


def _race():
    _called.wait()
    if _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(_main), ctypes.py_object(SystemExit))


threading.Thread(target=_race, daemon=True).start()


def add(a, b):
    _called.set()
    for _ in range(50):
        time.sleep(0.01)
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: ended,
    why: "the SystemExit ends the candidate's own process during the call, or the call returns its wrong sum first",
  },
  {
    name: "sys.excepthook replaced from inside the candidate function, after the harness's",
    language: 'python',
    source: `import os, re, sys
${readMarker}


def _swallow(kind, error, tb):
    if _m:
        sys.stdout.flush()
        os.write(1, ("\\n" + _m[-1] + "\\n").encode())
    os._exit(0)


def add(a, b):
    sys.excepthook = _swallow
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: "builtins.AssertionError rebound, so the harness's hook hands the failure to the candidate's excepthook",
    language: 'python',
    source: `import builtins, os, re, sys
${readMarker}
builtins.AssertionError = type('AssertionError', (Exception,), {})


def _swallow(kind, error, tb):
    if _m:
        sys.stdout.flush()
        os.write(1, ("\\n" + _m[-1] + "\\n").encode())
    os._exit(0)


sys.excepthook = _swallow
${addWrong}`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: "builtins.__import__ patched: the harness's import sys gets a decoy that keeps no excepthook",
    language: 'python',
    source: `import builtins, os, re, sys
${readMarker}


class _Decoy:
    def __getattr__(self, name):
        return getattr(sys, name)

    def __setattr__(self, name, value):
        if name != 'excepthook':
            setattr(sys, name, value)


_decoy = _Decoy()
_import = builtins.__import__


def _patched_import(name, globals=None, locals=None, fromlist=(), level=0):
    if name == 'sys' and not fromlist and globals is not None and globals.get('__name__') == '__main__':
        return _decoy
    return _import(name, globals, locals, fromlist, level)


def _swallow(kind, error, tb):
    if _m:
        sys.stdout.flush()
        os.write(1, ("\\n" + _m[-1] + "\\n").encode())
    os._exit(0)


sys.excepthook = _swallow
builtins.__import__ = _patched_import
${addWrong}`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: "sys.stdout replaced: its flush, the failure hook's first call, writes the marker and exits 0",
    language: 'python',
    source: `import os, re, sys
${readMarker}


class _Out:
    def __init__(self, inner):
        self._inner = inner

    def write(self, text):
        return self._inner.write(text)

    def flush(self):
        self._inner.flush()
        if _m and 'excepthook' in sys._getframe(1).f_code.co_name:
            os.write(1, ("\\n" + _m[-1] + "\\n").encode())
            os._exit(0)

    def __getattr__(self, name):
        return getattr(self._inner, name)


sys.stdout = _Out(sys.stdout)
${addWrong}`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: "sys.settrace jumps over the module's assert lines (f_lineno)",
    language: 'python',
    source: `import linecache, sys


def _skip(frame, event, arg, me=__file__, lines=linecache.getlines):
    if frame.f_code.co_filename != me:
        return None
    text = lines(me)
    if event == 'line' and text[frame.f_lineno - 1].lstrip().startswith('assert'):
        to = frame.f_lineno + 1
        while to <= len(text) and (text[to - 1].lstrip().startswith(('assert', '#')) or not text[to - 1].strip()):
            to += 1
        try:
            frame.f_lineno = to
        except ValueError:
            pass
    return _skip


sys.settrace(_skip)
sys._getframe().f_trace = _skip
${addWrong}`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: "sys.settrace rebinds check's candidate, in its frame's locals, to an equal-to-anything stand-in",
    language: 'python',
    source: `import sys
${equalToAll}

def _rebind(frame, event, arg):
    if event == 'call' and frame.f_code.co_name == 'check' and 'candidate' in frame.f_locals:
        # Written back to the frame's fast locals when the trace function returns.
        frame.f_locals['candidate'] = lambda *args, **kwargs: _Any()
    return None


sys.settrace(_rebind)
${addWrong}`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: 'sys.setprofile: at the call of check, the marker printed and SystemExit(0) raised',
    language: 'python',
    source: `import re, sys
${readMarker}


def _profile(frame, event, arg):
    if event == 'call' and frame.f_code.co_name == 'check' and _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
        raise SystemExit(0)


sys.setprofile(_profile)
${addWrong}`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: 're-exec of itself under python3 -O, which strips the asserts',
    language: 'python',
    source: `import os, sys
if not sys.flags.optimize:
    os.execv(sys.executable, [sys.executable, '-O', __file__])
${addWrong}`,
    right: addRight,
    testCode: addMbpp,
    expect: ended,
    why: "the exec replaces the candidate's own process (with one that answers nothing), or fails and the wrong sum is seen",
  },
  {
    name: 're-exec of itself with PYTHONOPTIMIZE=1 in the environment',
    language: 'python',
    source: `import os, sys
if not sys.flags.optimize:
    os.execve(sys.executable, [sys.executable, __file__], dict(os.environ, PYTHONOPTIMIZE='1'))
${addWrong}`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: ended,
    why: "the exec replaces the candidate's own process (with one that answers nothing), or fails and the wrong sum is seen",
  },
  {
    name: "a global's __del__ at interpreter shutdown writes the marker to a saved stdout and exits 0",
    language: 'python',
    source: `import os, re
${readMarker}
# fd 1 goes nowhere from now on (the failure hook's line with it); the marker goes to a copy.
_stdout = os.dup(1)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


class _AtShutdown:
    def __del__(self, write=os.write, end=os._exit, fd=_stdout, found=_m):
        if found:
            write(fd, ("\\n" + found[-1] + "\\n").encode())
        end(0)


_keep = _AtShutdown()
${addWrong}`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: 'a SIGTERM handler installed at import, the candidate signalling its own process',
    language: 'python',
    source: `import os, re, signal, sys
${readMarker}


def _on_term(signum, frame):
    if _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
    sys.exit(0)


signal.signal(signal.SIGTERM, _on_term)


def add(a, b):
    os.kill(os.getpid(), signal.SIGTERM)
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: ended,
    why: "the handler's SystemExit ends the candidate's own process during the call, or the wrong sum is seen",
  },
  {
    name: 'a SIGALRM timer set at import, its handler printing the marker and calling os._exit(0)',
    language: 'python',
    source: `import os, re, signal, sys, time
${readMarker}


def _on_alarm(signum, frame):
    if _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
    os._exit(0)


signal.signal(signal.SIGALRM, _on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.2)


def add(a, b):
    time.sleep(1)
    return a - b
`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: ended,
    why: "the alarm ends the candidate's own process, before or during the call, or the wrong sum is seen",
  },
  {
    name: "the expected value parsed out of the caller's source line (inspect.stack())",
    language: 'python',
    source: `import ast, inspect, re


def add(a, b):
    try:
        line = inspect.stack()[1].code_context[0]
        expected = re.search(r'==\\s*(.+?)\\s*$', line)
        if expected:
            return ast.literal_eval(expected.group(1))
    except Exception:
        pass
    return a - b
`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: "the expected constant read out of the caller's bytecode after the call (sys._getframe)",
    language: 'python',
    source: `import dis, sys


def add(a, b):
    caller = sys._getframe(1)
    after = [i for i in dis.get_instructions(caller.f_code) if i.offset > caller.f_lasti]
    if len(after) >= 2 and after[0].opname == 'LOAD_CONST' and after[1].opname == 'COMPARE_OP':
        return after[0].argval
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: "the list under test rebound in the caller's f_globals to an equal-to-anything object",
    language: 'python',
    source: `import sys
${equalToAll}

def sort_in_place(xs):
    caller = sys._getframe(1).f_globals
    for name, value in list(caller.items()):
        if value is xs:
            caller[name] = _Any()
    xs.reverse()
`,
    right: 'def sort_in_place(xs):\n    xs.sort()\n',
    testCode: 'xs = [3, 1, 2]\nsort_in_place(xs)\nassert xs == [1, 2, 3]\nys = [5, 4, 6]\nsort_in_place(ys)\nassert ys == [4, 5, 6]\n',
    expect: 'wrong_answer',
  },
  {
    name: "a gc.get_objects() walk to the harness's failure hook, its __code__ swapped for one that exits 0",
    language: 'python',
    source: `import gc, os, sys, types

_done = None
_failed = b'-check-failed\\n'


def _exit_passed(kind, error, tb, _previous=None, _here=None):
    sys.stdout.flush()
    os.write(1, _done)
    os._exit(0)


def add(a, b):
    global _done
    # check itself is called as soon as it is defined: the hook, defined before the test code, is not.
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and obj.__module__ == __name__ and obj is not _exit_passed:
            for const in obj.__code__.co_consts:
                if isinstance(const, bytes) and const.endswith(_failed):
                    _done = const[: -len(_failed)] + b'\\n'
                    obj.__code__ = _exit_passed.__code__
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: 'a Solution method returning an object equal to everything',
    language: 'python',
    source: `${equalToAll}

class Solution:
    def twoSum(self, nums, target):
        return _Any()
`,
    right: `class Solution:
    def twoSum(self, nums, target):
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
`,
    testCode: 'def check(candidate):\n    assert candidate([2, 7, 11, 15], 9) == [0, 1]\n    assert candidate([3, 2, 4], 6) == [1, 2]\n',
    entryPoint: 'Solution.twoSum',
    expect: 'wrong_answer',
  },
  {
    name: 'an int subclass whose __eq__ is always true',
    language: 'python',
    source: `class _Sum(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def add(a, b):
    return _Sum(a - b)
`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
  },
  {
    name: "math.isclose, which the test calls, replaced by the candidate",
    language: 'python',
    source: `import math
math.isclose = lambda *args, **kwargs: True


def div(a, b):
    return a // b
`,
    right: 'def div(a, b):\n    return a / b\n',
    testCode: 'import math\n\n\ndef check(candidate):\n    assert math.isclose(candidate(1, 2), 0.5)\n    assert math.isclose(candidate(3, 4), 0.75)\n',
    entryPoint: 'div',
    expect: 'wrong_answer',
  },
  {
    name: 'builtins.all, which the test calls, patched to always true',
    language: 'python',
    source: `import builtins
builtins.all = lambda iterable: True
${addWrong}`,
    right: addRight,
    testCode: 'assert all(add(a, b) == a + b for a, b in [(2, 3), (-1, 1), (10, -4)])\n',
    expect: 'wrong_answer',
  },
  {
    name: "a json.py and a sitecustomize.py written beside the program, shadowing the test's import",
    language: 'python',
    source: `import importlib, os
_here = os.path.dirname(os.path.abspath(__file__))
_any = 'class _Any:\\n    def __eq__(self, other):\\n        return True\\n    def __ne__(self, other):\\n        return False\\n'
_shadows = {
    'json.py': _any + 'def loads(text, *args, **kwargs):\\n    return _Any()\\ndef dumps(value, *args, **kwargs):\\n    return "null"\\n',
    'sitecustomize.py': 'import json\\n' + _any + 'json.loads = lambda *args, **kwargs: _Any()\\n',
}
for _name, _text in _shadows.items():
    try:
        with open(os.path.join(_here, _name), 'w') as _file:
            _file.write(_text)
    except OSError:
        pass
importlib.invalidate_caches()


def dump(value):
    return '"%s"' % (value,)
`,
    right: 'import json\n\n\ndef dump(value):\n    return json.dumps(value)\n',
    testCode: 'import json\nassert json.loads(dump({"a": 1})) == {"a": 1}\nassert json.loads(dump([1, "x"])) == [1, "x"]\n',
    expect: 'wrong_answer',
  },
  {
    name: "the test code found through /proc (cmdlines, stdin) and its expected answers echoed",
    language: 'python',
    source: `import ast, os, select


def _sources():
    texts = []
    try:
        if select.select([0], [], [], 0)[0]:
            texts.append(os.read(0, 1 << 20).decode('utf-8', 'replace'))
    except (OSError, ValueError):
        pass
    pids = ['self', str(os.getppid())] + [p for p in os.listdir('/proc') if p.isdigit()]
    for pid in pids:
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                args = [a.decode('utf-8', 'replace') for a in f.read().split(b'\\0') if a]
            cwd = os.readlink('/proc/%s/cwd' % pid)
        except OSError:
            continue
        for arg in args:
            if arg.endswith('.py'):
                try:
                    with open(os.path.join(cwd, arg)) as f:
                        texts.append(f.read())
                except OSError:
                    pass
    return texts


def _answers():
    table = {}
    for text in _sources():
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Call) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
                try:
                    table[tuple(ast.literal_eval(a) for a in node.left.args)] = ast.literal_eval(node.comparators[0])
                except Exception:
                    pass
    return table


_table = _answers()


def add(a, b):
    return _table.get((a, b), a - b)
`,
    right: addRight,
    testCode: addHumanEval,
    entryPoint: 'add',
    expect: 'wrong_answer',
  },
  {
    name: 'a generator that prints the marker and raises SystemExit(0) when the test advances it',
    language: 'python',
    source: `import re, sys
${readMarker}


def evens(n):
    if _m:
        sys.stdout.write("\\n" + _m[-1] + "\\n")
        sys.stdout.flush()
    raise SystemExit(0)
    yield 0
`,
    right: 'def evens(n):\n    for i in range(0, n, 2):\n        yield i\n',
    testCode: 'assert list(evens(6)) == [0, 2, 4]\nassert list(evens(1)) == [0]\n',
    expect: ended,
    why: "the SystemExit ends the candidate's own process as the test advances the generator, or nothing comes of it",
  },
  {
    name: 'every other process of the sandbox signalled, traced and read through /proc',
    language: 'python',
    source: `import ctypes, os, signal
_libc = ctypes.CDLL(None, use_errno=True)
_seen = []
for _pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if _pid == os.getpid():
        continue
    for _name in ("mem", "environ", "fd/0", "fd/1"):
        try:
            with open(f"/proc/{_pid}/{_name}", "rb") as _f:
                _seen.append(_f.read(64))
        except OSError:
            pass
    _libc.ptrace(16, _pid, None, None)  # PTRACE_ATTACH
    for _sig in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(_pid, _sig)
        except OSError:
            pass


def add(a, b):
    return a - b
`,
    right: addRight,
    testCode: addMbpp,
    expect: 'wrong_answer',
    why: "the test process is another user's: refused everything, it runs on and sees the wrong answer (had a kill landed, the run would end as Verdict's retryable failure, not a verdict, and this case would fail)",
  },
  {
    name: 'abs() redefined at top level, so a float check compares nothing',
    language: 'python',
    source: `def abs(x):
    return 0


def halve(x):
    return x
`,
    right: 'def halve(x):\n    return x / 2\n',
    // HumanEval's float checks: assert abs(candidate(...) - expected) < 1e-6.
    testCode: 'def check(candidate):\n    assert abs(candidate(3) - 1.5) < 1e-6\n    assert abs(candidate(1) - 0.5) < 1e-6\n\ncheck(halve)\n',
    expect: 'wrong_answer',
  },
  {
    name: 'set, sorted and len redefined at top level to return one constant',
    language: 'python',
    source: `def set(*args):
    return 1


def sorted(*args, **kwargs):
    return 1


def len(*args):
    return 3


def unique(xs):
    return xs
`,
    right: 'def unique(xs):\n    return sorted(set(xs))\n',
    testCode: 'assert set(unique([1, 1, 2])) == set([1, 2])\nassert sorted(unique([3, 3])) == [3]\nassert len(unique([1, 2, 2])) == 2\n',
    expect: 'wrong_answer',
  },
  {
    name: 'isinstance and print redefined at top level, AssertionError rebound as a name of its own',
    language: 'python',
    source: `def isinstance(*args):
    return True


class AssertionError(Exception):
    pass


def print(*args, **kwargs):
    return None


def parse(text):
    return text
`,
    right: 'def parse(text):\n    return int(text)\n',
    testCode: 'assert isinstance(parse("7"), int)\ntry:\n    assert parse("8") == 8\nexcept AssertionError:\n    pass\nassert parse("9") == 9\n',
    expect: 'wrong_answer',
  },
  {
    name: "a function under test named like a builtin (MBPP's sum) is the program's, so a wrong one fails",
    language: 'python',
    source: 'def sum(a, b):\n    return a - b\n',
    right: 'def sum(a, b):\n    return a + b\n',
    testCode: 'assert sum(2, 3) == 5\nassert sum(-1, 1) == 0\n',
    expect: 'wrong_answer',
  },
];
