"""Syntax check for the compile stage: a SyntaxError becomes compile_error, not runtime_error."""
import sys

failed = False
for path in sys.argv[1:]:
    with open(path, "rb") as source:
        try:
            compile(source.read(), path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
sys.exit(1 if failed else 0)
