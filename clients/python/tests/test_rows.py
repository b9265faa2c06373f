"""The client's dataset-row reader against the shared cases (the CLI runs the same ones); no service needed."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from verdict_client.rows import RowError, problem_from_row  # noqa: E402

CASES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "fixtures", "rows", "cases.json")


class SharedCases(unittest.TestCase):
    def test_every_case(self):
        with open(CASES, encoding="utf-8") as f:
            cases = json.load(f)
        self.assertGreater(len(cases), 0)
        for case in cases:
            with self.subTest(case["name"]):
                def read():
                    return problem_from_row(case["row"], case.get("language"), case.get("program"))

                if "refused" in case:
                    with self.assertRaises(RowError) as caught:
                        read()
                    self.assertEqual(str(caught.exception), case["refused"])
                else:
                    self.assertEqual(read(), case["problem"])


if __name__ == "__main__":
    unittest.main()
