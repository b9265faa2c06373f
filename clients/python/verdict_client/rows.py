"""Dataset rows as Verdict problems: the reader behind problem_from and the reward functions.

The CLI has the same reader (src/cli/rows.ts); both are tested against the cases of
test/fixtures/rows/cases.json, which are the definition. Each shape is read the way its dataset's
own evaluator reads it, or refused with a RowError: a guess that turns into a test which cannot
fail (or cannot pass) would be learned from as if it were a verdict.

    tests                  Verdict tests (a list), an inputs/outputs object, or either's JSON text
    input_output           APPS / TACO: JSON text of {inputs, outputs, fn_name?}
    inputs, outputs        the same fields at the top level (verl's ground_truth)
    test, entry_point      HumanEval: test code defining check(candidate); the service calls it
    test_list              MBPP: assert lines (after test_imports / test_setup_code)
    test_code / testCode   test code run after the program
    verification_info      open-r1: {language, test_cases: [{input, output, type}]}
    official_tests         open-r1 Codeforces: [{input, output}], plus generated_tests and limits
    prompt, entry_point    HumanEval: a completion that does not define entry_point continues the prompt
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["RowError", "problem_from_row"]

Row = Dict[str, Any]


class RowError(ValueError):
    """A row whose tests cannot be read as its dataset's evaluator reads them."""


def _refuse(message: str) -> Any:
    raise RowError(message)


def _kind(value: Any) -> str:
    """The JSON name of a value's kind, as the TypeScript reader names it too."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _present(row: Row, key: str) -> bool:
    # Datasets loaded as tables fill a column a row lacks with None.
    return row.get(key) is not None


def _parsed(value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return _refuse(f"{path}: JSON text that does not parse")


def _text(value: Any, path: str, what: str) -> str:
    return value if isinstance(value, str) else _refuse(f"{path}: {what} needs a string, not a {_kind(value)}")


def _lines(value: Any, path: str) -> str:
    """APPS and TACO join a list of lines with "\\n" (no newline after the last), for stdin and for the expected output alike."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value)
    return _refuse(f"{path}: needs a string or a list of lines (strings), not a {_kind(value)}")


def _is_ascii_digits(s: str) -> bool:
    return len(s) > 0 and all("0" <= c <= "9" for c in s)


def _has_int_keys(value: Any) -> bool:
    """An object APPS' evaluator rewrites with int keys ({int(k): v}): every key an integer."""
    if not isinstance(value, dict) or not value:
        return False
    for key in value:
        k = key.strip(" \t\n\r\f\v")
        if not _is_ascii_digits(k[1:] if k[:1] in ("+", "-") else k):
            return False
    return True


_INT_KEYS = "an object whose keys are all integers, which APPS' evaluator turns into int keys; call tests in JSON cannot express them"


def _defines_solution_class(program: str) -> bool:
    """LeetCode's shape: the method of a top-level `class Solution`, as APPS and TACO call it when the program defines one."""
    needle = "class Solution"
    at = program.find(needle)
    while at >= 0:
        after = program[at + len(needle) : at + len(needle) + 1]
        if (at == 0 or program[at - 1] == "\n") and after in (":", "(", " ", "\t"):
            return True
        at = program.find(needle, at + 1)
    return False


# How APPS' and TACO's testing_util accept a stdin test's output: stripped text, stripped lines,
# split tokens, floats by np.allclose (rtol 1e-5, atol 1e-8) and, last, tokens as sets with numbers
# rounded to 3 decimals. Tokens with these tolerances never fail an output they accept in the same
# order: 1e-3 covers the rounding, 2e-5 of the expected value covers allclose's rtol.
_APPS_CHECKER = {"mode": "float", "absTolerance": 1e-3, "relTolerance": 2e-5}
# open-r1's stdin_stdout cases compare the stripped output line by line, each line stripped: tokens never fail what that accepts.
_OPEN_R1_CHECKER = "tokens"

# The words that open a top-level definition of a name, per language whose HumanEval prompts are continued.
_DEFINERS: Dict[str, Tuple[str, ...]] = {
    "python": ("def ", "async def "),
    # HumanEval-X and HumanEvalPack prompts declare `const name = (...) => {`.
    "javascript": ("function ", "async function ", "const ", "let ", "var "),
}


def _is_word_char(c: str) -> bool:
    return c == "_" or c == "$" or (c.isascii() and c.isalnum())


def _defines_name(program: str, name: str, definers: Tuple[str, ...]) -> bool:
    """Whether a line of the program starts by defining `name` (top level: no indentation), in one pass over the text."""
    at = 0
    while at < len(program):
        end = program.find("\n", at)
        line_end = len(program) if end < 0 else end
        for word in definers:
            if not program.startswith(word, at):
                continue
            p = at + len(word)
            while program[p : p + 1] == " ":
                p += 1
            if program.startswith(name, p):
                after = program[p + len(name) : p + len(name) + 1]
                if after == "" or not _is_word_char(after):
                    return True
        at = line_end + 1
    return False


def _last_fenced_block(text: str) -> str:
    """The code of a model's answer as the service's default extraction (last_block) takes it: the
    content of its last complete fenced block, else the text as it is."""
    last = None
    open_at = -1
    at = 0
    while at < len(text):
        end = text.find("\n", at)
        nxt = len(text) if end < 0 else end + 1
        p = at
        while text[p : p + 1] in (" ", "\t"):
            p += 1
        if text.startswith("```", p):
            if open_at < 0:
                open_at = nxt
            else:
                last = text[open_at:at]
                open_at = -1
        at = nxt
    return text if last is None else last


def _fenced(code: str) -> str:
    """A fenced block holding `code` as it is: a fence longer than any run of backticks in it cannot be closed early."""
    longest = run = 0
    for c in code:
        run = run + 1 if c == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _empty(path: str) -> str:
    return f"{path}: empty; a problem without tests would accept any program that exits 0"


def _inputs_outputs(io: Row, prefix: str) -> Row:
    """{inputs, outputs, fn_name?}: stdin tests, or call tests when fn_name names a function (APPS' testing_util)."""
    if not _present(io, "outputs"):
        _refuse(f"{prefix}inputs: inputs without outputs")
    if not _present(io, "inputs"):
        _refuse(f"{prefix}outputs: outputs without inputs")
    inputs, outputs = io["inputs"], io["outputs"]
    if not isinstance(inputs, list):
        _refuse(f"{prefix}inputs: needs a list, not a {_kind(inputs)}")
    if not isinstance(outputs, list):
        _refuse(f"{prefix}outputs: needs a list, not a {_kind(outputs)}")
    if len(inputs) != len(outputs):
        _refuse(f"{prefix}inputs: {len(inputs)} inputs but {len(outputs)} outputs")
    if not inputs:
        _refuse(_empty(f"{prefix}inputs"))
    if not _present(io, "fn_name"):
        return {
            "tests": [{"stdin": _lines(i, f"{prefix}inputs.{n}"), "expectedStdout": _lines(o, f"{prefix}outputs.{n}")} for n, (i, o) in enumerate(zip(inputs, outputs))],
            "checker": _APPS_CHECKER,
        }
    fn_name = io["fn_name"]
    if not isinstance(fn_name, str) or fn_name == "":
        _refuse(f"{prefix}fn_name: needs a function name")
    # APPS stores each return value wrapped in a list ([[6], [9]]) and accepts `output == outputs[i][0]`:
    # a row where every output is a one-element list is read as wrapped.
    wrapped = all(isinstance(o, list) and len(o) == 1 for o in outputs)
    tests = []
    for n, (args, output) in enumerate(zip(inputs, outputs)):
        if not isinstance(args, list):
            _refuse(f"{prefix}inputs.{n}: a call test needs the list of arguments, not a {_kind(args)}")
        if args and _has_int_keys(args[0]):
            _refuse(f"{prefix}inputs.{n}.0: {_INT_KEYS}")
        if _has_int_keys(output):
            _refuse(f"{prefix}outputs.{n}: {_INT_KEYS}")
        if isinstance(output, list) and output and _has_int_keys(output[0]):
            _refuse(f"{prefix}outputs.{n}.0: {_INT_KEYS}")
        tests.append({"call": {"args": args}, "expected": output[0] if wrapped else output})
    return {"tests": tests, "fn_name": fn_name}


def _non_empty_list(value: Any, path: str) -> List[Any]:
    if not isinstance(value, list):
        _refuse(f"{path}: needs a list, not a {_kind(value)}")
    if not value:
        _refuse(_empty(path))
    return value


def _native_or_inputs_outputs(value: Any, path: str) -> Row:
    tests = _parsed(value, path)
    if isinstance(tests, list):
        return {"tests": _non_empty_list(tests, path)}
    if not isinstance(tests, dict):
        _refuse(f"{path}: needs a list of Verdict tests or an {{inputs, outputs}} object, not a {_kind(tests)}")
    for key in tests:
        if key not in ("inputs", "outputs", "fn_name"):
            _refuse(f"{path}.{key}: unknown key; an {{inputs, outputs}} object has inputs, outputs and fn_name")
    return _inputs_outputs(tests, f"{path}.")


def _stdin_cases(cases: List[Any], path: str) -> List[Row]:
    tests = []
    for n, case in enumerate(cases):
        if not isinstance(case, dict):
            _refuse(f"{path}.{n}: needs an {{input, output}} object, not a {_kind(case)}")
        tests.append(
            {
                "stdin": _text(case.get("input"), f"{path}.{n}.input", "a test input"),
                "expectedStdout": _text(case.get("output"), f"{path}.{n}.output", "an expected output"),
            }
        )
    return tests


def _verification_info(row: Row) -> Row:
    info = _parsed(row["verification_info"], "verification_info")
    if not isinstance(info, dict):
        _refuse(f"verification_info: needs an object, not a {_kind(info)}")
    cases = _non_empty_list(info.get("test_cases"), "verification_info.test_cases")
    for n, case in enumerate(cases):
        # open-r1 runs each case as stdin → stdout; any other kind would be guessed at.
        if isinstance(case, dict) and _present(case, "type") and case["type"] != "stdin_stdout":
            _refuse(f'verification_info.test_cases.{n}.type: only "stdin_stdout" cases are read')
    read: Row = {"tests": _stdin_cases(cases, "verification_info.test_cases"), "checker": _OPEN_R1_CHECKER}
    if _present(info, "language"):
        read["language"] = _text(info["language"], "verification_info.language", "a language")
    return read


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _round(x: float) -> int:
    # JavaScript's Math.round (half up), not Python's round (half to even): the readers must agree.
    return int(math.floor(x + 0.5))


def _codeforces(row: Row) -> Row:
    """open-r1's Codeforces rows, judged as open-r1's cf_scoring does: official then generated tests, the problem's own limits."""
    if _present(row, "generated_checker") and row["generated_checker"] != "":
        _refuse("official_tests: the problem is judged by its generated_checker, which Verdict cannot run; comparing output would fail right answers")
    if _present(row, "interaction_format") and row["interaction_format"] != "":
        _refuse("official_tests: an interactive problem (interaction_format); Verdict cannot play the interactor")
    if _present(row, "input_mode") and row["input_mode"] != "stdio":
        _refuse('input_mode: only "stdio" is read; the program would read input.txt, and Verdict feeds stdin')
    tests = _stdin_cases(_non_empty_list(row["official_tests"], "official_tests"), "official_tests")
    if _present(row, "generated_tests"):
        if not isinstance(row["generated_tests"], list):
            _refuse(f"generated_tests: needs a list of {{input, output}}, not a {_kind(row['generated_tests'])}")
        tests.extend(_stdin_cases(row["generated_tests"], "generated_tests"))
    limits: Dict[str, int] = {}
    if _present(row, "time_limit"):
        if not _positive_number(row["time_limit"]):
            _refuse("time_limit: needs a positive number of seconds")
        limits["timeMs"] = _round(row["time_limit"] * 1000)
    if _present(row, "memory_limit"):
        if not _positive_number(row["memory_limit"]):
            _refuse("memory_limit: needs a positive number of megabytes")
        limits["memoryBytes"] = _round(row["memory_limit"] * 2**20)
    return {"tests": tests, "limits": limits}


# Columns that hold tests in a shape not read here: refused rather than ignored beside another set.
_UNREAD_TEST_COLUMNS = ("public_tests", "private_tests", "public_test_cases", "private_test_cases")


def problem_from_row(value: Any, language: Optional[str] = None, program: Optional[str] = None) -> Dict[str, Any]:
    """The Verdict problem fields of one row.

    `language` is used when the row names none; `program` (the candidate's text) only decides
    `fn_name` between a function and `Solution.<fn_name>`.
    """
    value = _parsed(value, "row")
    if isinstance(value, list):
        value = {"tests": value}
    if not isinstance(value, dict):
        _refuse(f"row: a {_kind(value)}; expected an object of dataset fields, a list of Verdict tests, or its JSON text")
    row: Row = value
    for key in _UNREAD_TEST_COLUMNS:
        if _present(row, key):
            _refuse(f"{key}: this shape of tests is not read; give them as inputs/outputs or Verdict tests")

    sources: List[Tuple[str, Callable[[], Row]]] = []
    if _present(row, "tests"):
        sources.append(("tests", lambda: _native_or_inputs_outputs(row["tests"], "tests")))
    if _present(row, "input_output"):

        def input_output() -> Row:
            io = _parsed(row["input_output"], "input_output")
            if not isinstance(io, dict):
                _refuse(f"input_output: needs an {{inputs, outputs}} object, not a {_kind(io)}")
            return _inputs_outputs(io, "input_output.")

        sources.append(("input_output", input_output))
    if _present(row, "inputs") or _present(row, "outputs"):
        sources.append(("inputs/outputs", lambda: _inputs_outputs(row, "")))
    if _present(row, "verification_info"):
        sources.append(("verification_info", lambda: _verification_info(row)))
    if _present(row, "official_tests"):
        sources.append(("official_tests", lambda: _codeforces(row)))
    if len(sources) > 1:
        _refuse(f"more than one set of tests: {' and '.join(name for name, _ in sources)}; keep one")
    read: Optional[Row] = sources[0][1]() if sources else None

    # Test code, in the order it runs: MBPP's imports and setup, its asserts, HumanEval's test, test code as given.
    code: List[str] = []
    if _present(row, "test_code") and _present(row, "testCode"):
        _refuse("test_code and testCode: keep one")
    test_code_key = "testCode" if _present(row, "testCode") else "test_code"
    has_test_code = _present(row, "test_list") or _present(row, "test") or _present(row, test_code_key)
    if has_test_code and _present(row, "test_imports"):
        imports = row["test_imports"]
        if not isinstance(imports, list) or not all(isinstance(line, str) for line in imports):
            _refuse("test_imports: needs a list of lines (strings)")
        code.extend(imports)
    if has_test_code and _present(row, "test_setup_code"):
        setup = _text(row["test_setup_code"], "test_setup_code", "setup code")
        if setup != "":
            code.append(setup)
    if _present(row, "test_list"):
        asserts = _non_empty_list(row["test_list"], "test_list")
        code.extend(_text(line, f"test_list.{n}", "an assert line") for n, line in enumerate(asserts))
    if _present(row, "test"):
        code.append(_text(row["test"], "test", "test code"))
    if _present(row, test_code_key):
        code.append(_text(row[test_code_key], test_code_key, "test code"))

    if read is None and not code:
        _refuse("row: no tests; give tests, input_output, inputs/outputs, test (with entry_point), test_list, test_code, verification_info or official_tests")

    entry_point: Optional[str] = None
    for name, candidate in (("entryPoint", row.get("entryPoint")), ("entry_point", row.get("entry_point")), ("fn_name", (read or {}).get("fn_name"))):
        if candidate is None:
            continue
        fn = _text(candidate, name, "a function name")
        if entry_point is not None and entry_point != fn:
            _refuse(f'{name}: "{fn}" names another function than "{entry_point}"')
        entry_point = fn
    if read is not None and "fn_name" in read and "." not in (entry_point or "") and program is not None and _defines_solution_class(program):
        entry_point = f"Solution.{entry_point}"

    lang = language if language is not None else "python"
    if _present(row, "language"):
        lang = _text(row["language"], "language", "a language")
    if read is not None and "language" in read:
        if _present(row, "language") and read["language"] != lang:
            _refuse(f'language: "{lang}" but verification_info.language "{read["language"]}"')
        lang = read["language"]

    problem: Dict[str, Any] = {"language": lang}
    # HumanEval's samples continue the prompt (the function's body), and its harness runs prompt +
    # completion + test: a program that does not define the entry point itself is judged after the prompt.
    definers = _DEFINERS.get(lang)
    row_entry_point = row["entryPoint"] if _present(row, "entryPoint") else row.get("entry_point")
    if _present(row, "prompt") and isinstance(row_entry_point, str) and definers is not None and program is not None:
        prompt = _text(row["prompt"], "prompt", "a prompt")
        body = _last_fenced_block(program)
        if not _defines_name(body, row_entry_point, definers):
            problem["completion"] = _fenced(prompt + body)
    if read is not None:
        problem["tests"] = read["tests"]
    if code:
        problem["testCode"] = "\n".join(code)
    if entry_point is not None:
        problem["entryPoint"] = entry_point
    # The row's own checker wins over the one its dataset's evaluator implies.
    if _present(row, "checker"):
        problem["checker"] = row["checker"]
    elif read is not None and "checker" in read:
        problem["checker"] = read["checker"]
    if _present(row, "limits") and not isinstance(row["limits"], dict):
        _refuse(f"limits: needs an object, not a {_kind(row['limits'])}")
    # The row's own limits win over those a Codeforces row states.
    limits = {**((read or {}).get("limits") or {}), **(row.get("limits") or {})}
    if limits:
        problem["limits"] = limits
    return problem
