"""Splits a Python source into lines and statements, by Python's own tokenizer and parser.

    python3 segment.py < source.py

prints one JSON object:
  {"lines": [{"line": 1, "kind": "blank" | "comment" | "code"}, ...],   every line, 1-based
   "statements": [{"startLine", "endLine", "type", "depth"}, ...],      every ast.stmt
   "syntaxError": null | {"line": n | null, "message": "..."}}

A line is a comment when its only token is a comment, blank when it holds only whitespace,
and code otherwise; the lines of a multi-line string (a docstring too) are code. A statement
starts at its first decorator, if any; its type is the ast class name (FunctionDef, If, ...);
depth counts the statements it is nested in (0 at module level), an `elif` counting as its
`if`'s sibling as it is written. Lines are what Python counts as lines: \\n, \\r\\n and \\r.

On a syntax error, statements is [] and lines a best effort: by the tokens read before the
tokenizer failed, if it did, and by the line's text after that.
"""
import ast
import io
import json
import re
import sys
import tokenize

NEWLINES = re.compile(r"\r\n|\r|\n")
# Tokens that are layout, not content: a line holding only these is blank (or a comment).
LAYOUT = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}


def decode(source):
    """The text Python would read, and why it cannot if it cannot."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        text = source.decode(encoding)
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, None
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return source.decode("utf-8", errors="replace"), error


def split_lines(text):
    lines = NEWLINES.split(text)
    # A final newline ends the last line; it does not start another.
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def classify(text, lines):
    code = set()
    comment = set()
    # Lines the tokenizer got through; past them (after a tokenize error) the text decides.
    tokenized = 0
    try:
        # Python's own line breaks, which StringIO.readline would not all split on.
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type == tokenize.COMMENT:
                comment.add(token.start[0])
            elif token.type == tokenize.ERRORTOKEN and token.string.isspace():
                pass
            elif token.type not in LAYOUT:
                code.update(range(token.start[0], token.end[0] + 1))
            tokenized = token.start[0] - 1
        tokenized = len(lines)
    except tokenize.TokenError as error:
        message, where = (error.args + (None, None))[:2]
        if message == "EOF in multi-line string":
            row = where[0]
            # The rest is inside the string: code, whatever it looks like.
            code.update(range(row, len(lines) + 1))
            tokenized = len(lines)
    except SyntaxError:
        pass

    kinds = []
    for number, line in enumerate(lines, 1):
        if number <= tokenized:
            if number in code:
                kind = "code"
            elif number in comment:
                kind = "comment"
            elif line.strip():
                # A line continuation alone, say: not a comment, not empty.
                kind = "code"
            else:
                kind = "blank"
        else:
            stripped = line.strip()
            kind = "blank" if not stripped else "comment" if stripped.startswith("#") else "code"
        kinds.append({"line": number, "kind": kind})
    return kinds


def statements(tree, lines):
    out = []

    def is_elif(node):
        # The parser puts an elif's If at the keyword (col_offset counts bytes, but only
        # indentation precedes it).
        line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
        return line[node.col_offset : node.col_offset + 4] == "elif"

    def visit(node, depth):
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
        out.append({"startLine": start, "endLine": node.end_lineno, "type": type(node).__name__, "depth": depth})
        # _fields are in source order (Try: body, handlers, orelse, finalbody), so the
        # output is too, pre-order being source order.
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is not list:
                continue
            if field == "orelse" and isinstance(node, ast.If) and len(value) == 1 and isinstance(value[0], ast.If) and is_elif(value[0]):
                visit(value[0], depth)
                continue
            for child in value:
                if isinstance(child, ast.stmt):
                    visit(child, depth + 1)
                elif isinstance(child, (ast.excepthandler, ast.match_case)):
                    for grandchild in child.body:
                        visit(grandchild, depth + 1)

    for node in tree.body:
        visit(node, 0)
    return out


def main():
    source = sys.stdin.buffer.read()
    text, decode_error = decode(source)
    lines = split_lines(text)
    result = {"lines": classify(text, lines), "statements": [], "syntaxError": None}
    if decode_error is not None:
        result["syntaxError"] = {"line": getattr(decode_error, "lineno", None), "message": str(decode_error)}
    else:
        try:
            tree = ast.parse(source, type_comments=False)
            result["statements"] = statements(tree, lines)
        except SyntaxError as error:
            result["syntaxError"] = {"line": error.lineno, "message": error.msg}
        except (ValueError, RecursionError, MemoryError) as error:
            # A null byte (ValueError before 3.12), or nesting too deep for the parser.
            result["syntaxError"] = {"line": None, "message": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
