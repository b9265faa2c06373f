"""Run against a live Verdict: VERDICT_URL=http://127.0.0.1:8080 python3 -m unittest discover -s tests"""
import http.server
import json
import os
import sys
import threading
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from verdict_client import VerdictClient, VerdictError  # noqa: E402
from verdict_client import rewards  # noqa: E402

URL = os.environ.get("VERDICT_URL", "http://127.0.0.1:8080")
ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


def fence(code):
    return "```python\n" + code + "\n```"


class AgainstTheService(unittest.TestCase):
    def setUp(self):
        self.client = VerdictClient(URL)

    def test_submit(self):
        r = self.client.submit(language="python", source=ADD, tests=[{"stdin": "2 3\n", "expectedStdout": "5\n"}], cache=False)
        self.assertEqual(r["verdict"], "accepted")

    def test_batch_streams_lines_then_a_summary(self):
        lines = list(
            self.client.batch(
                [{"id": "right", "source": ADD}, {"id": "wrong", "source": "print(0)\n"}],
                problem={"language": "python", "tests": [{"stdin": "2 3\n", "expectedStdout": "5\n"}]},
                cache=False,
            )
        )
        self.assertEqual(lines[-1]["type"], "summary")
        verdicts = {l["id"]: l["result"]["verdict"] for l in lines[:-1]}
        self.assertEqual(verdicts, {"right": "accepted", "wrong": "wrong_answer"})

    def test_bad_request_is_an_error_not_retried(self):
        with self.assertRaises(VerdictError) as caught:
            self.client.submit(language="cobol", source="x")
        self.assertEqual(caught.exception.status, 400)
        self.assertFalse(caught.exception.retryable)

    def test_verl_compute_score(self):
        os.environ["VERDICT_URL"] = URL
        nonce = f"# {uuid.uuid4()}\n"
        stdin_tests = {"inputs": ["2 3\n", "10 -4\n"], "outputs": ["5\n", "6\n"]}
        self.assertEqual(rewards.compute_score("apps", fence(ADD + nonce), json.dumps(stdin_tests)), 1.0)
        self.assertEqual(rewards.compute_score("apps", fence("print(5)\n" + nonce), stdin_tests), 0.0)
        self.assertEqual(rewards.compute_score("apps", "no code here", stdin_tests), 0.0)
        calls = {"fn_name": "add", "inputs": [[1, 2], [3, 4]], "outputs": [3, 7]}
        self.assertEqual(rewards.compute_score("leetcode", fence("def add(a, b):\n    return a + b\n" + nonce), calls), 1.0)
        test_code = {"test_code": "assert add(2, 2) == 4\n"}
        self.assertEqual(rewards.compute_score("mbpp", fence("def add(a, b):\n    return a * b\n" + nonce), test_code), 1.0)
        self.assertEqual(rewards.compute_score("mbpp", fence("def add(a, b):\n    return a - b\n" + nonce), test_code), 0.0)
        self.assertEqual(
            rewards.compute_score_batch(["x", "x"], [fence(ADD + nonce), fence("print(1)\n" + nonce)], [stdin_tests, stdin_tests], None, preset="fraction"),
            [1.0, 0.0],
        )

    def test_every_dataset_shape_right_accepted_wrong_rejected(self):
        """The shared row cases with programs (test/fixtures/rows/cases.json), through compute_score_batch."""
        path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "fixtures", "rows", "cases.json")
        with open(path, encoding="utf-8") as f:
            cases = [c for c in json.load(f) if "right" in c]
        self.assertGreater(len(cases), 0)
        truths = [c["row"] for c in cases]
        for which, reward in (("right", 1.0), ("wrong", 0.0)):
            scores = rewards.compute_score_batch(["x"] * len(cases), [fence(c[which]) for c in cases], truths, None, url=URL)
            self.assertEqual(dict(zip((c["name"] for c in cases), scores)), {c["name"]: reward for c in cases}, which)

    def test_trl_reward_function(self):
        fn = rewards.make_trl_reward(url=URL, preset="coderl")
        nonce = f"# {uuid.uuid4()}\n"
        completions = [
            [{"role": "assistant", "content": fence(ADD + nonce)}],
            [{"role": "assistant", "content": fence("raise SystemExit(1)\n" + nonce)}],
            [{"role": "assistant", "content": "I give up."}],
        ]
        tests = [[{"stdin": "2 3\n", "expectedStdout": "5\n"}]] * 3
        self.assertEqual(fn(completions, tests=tests, language=["python"] * 3), [1.0, -0.6, -1.0])
        self.assertEqual(fn.__name__, "verdict_coderl")


class Flaky(http.server.BaseHTTPRequestHandler):
    """Answers from a script: each request takes the next (status, body, headers)."""

    script = []
    seen = 0

    def do_POST(self):
        type(self).seen += 1
        status, body, headers = type(self).script.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class AgainstAFake(unittest.TestCase):
    """A client with short backoffs in front of `handler`, a scripted stand-in for the service."""

    handler = None

    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.client = VerdictClient(f"http://127.0.0.1:{self.server.server_port}", backoff_base=0.01, max_retries=3)

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()


class Retries(AgainstAFake):
    handler = Flaky

    def setUp(self):
        super().setUp()
        Flaky.seen = 0

    def test_retries_retryable_failures_then_answers(self):
        busy = {"code": "VERDICT_QUEUE_FULL", "message": "full", "retryable": True}
        Flaky.script = [(429, busy, {"retry-after": "0"}), (503, {**busy, "code": "VERDICT_SANDBOX_FAILED"}, {}), (200, {"verdict": "accepted"}, {})]
        self.assertEqual(self.client.submit(language="python", source="x")["verdict"], "accepted")
        self.assertEqual(Flaky.seen, 3)

    def test_never_retries_a_verdict_or_a_bad_request(self):
        Flaky.script = [(200, {"verdict": "runtime_error"}, {})]
        self.assertEqual(self.client.submit(language="python", source="x")["verdict"], "runtime_error")
        self.assertEqual(Flaky.seen, 1)
        Flaky.script = [(400, {"code": "VERDICT_INVALID_REQUEST", "message": "no", "retryable": False}, {})]
        with self.assertRaises(VerdictError):
            self.client.submit(language="python", source="x")
        self.assertEqual(Flaky.seen, 2)

    def test_gives_up_after_max_retries(self):
        busy = {"code": "VERDICT_QUEUE_FULL", "message": "full", "retryable": True}
        Flaky.script = [(429, busy, {})] * 4
        with self.assertRaises(VerdictError) as caught:
            self.client.submit(language="python", source="x")
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(Flaky.seen, 4)


class CutStream(http.server.BaseHTTPRequestHandler):
    """A batch endpoint whose first answer is cut after one line, as when its replica dies."""

    protocol_version = "HTTP/1.1"
    bodies = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).bodies.append(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-ndjson")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        items = body["items"]
        first = len(type(self).bodies) == 1
        for index, item in enumerate(items[:1] if first else items):
            self.chunk({"type": "item", "index": index, "id": item["id"], "status": "ok", "result": {"verdict": "accepted", "cache": "miss"}})
        if first:
            # Gone mid-stream: no summary line, no closing chunk.
            self.wfile.flush()
            self.connection.shutdown(2)
            self.close_connection = True
            return
        self.chunk({"type": "summary", "total": len(items), "ok": len(items), "error": 0, "notRun": 0, "verdicts": {"accepted": len(items)}, "cacheHits": 0, "deadlineExceeded": False, "wallTimeMs": 1.0})
        self.wfile.write(b"0\r\n\r\n")

    def chunk(self, line):
        data = (json.dumps(line) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def log_message(self, *args):
        pass


class ResumedBatches(AgainstAFake):
    handler = CutStream

    def setUp(self):
        super().setUp()
        CutStream.bodies = []

    def test_a_cut_stream_is_resumed_with_the_items_it_did_not_answer(self):
        items = [{"id": f"s{i}", "source": f"print({i})"} for i in range(4)]
        lines = list(self.client.batch(items, problem={"language": "python"}, deadlineMs=60000))
        self.assertEqual([b["items"] for b in CutStream.bodies], [items, items[1:]])
        self.assertEqual(CutStream.bodies[1]["problem"], {"language": "python"})
        self.assertLessEqual(CutStream.bodies[1]["deadlineMs"], 60000)
        item_lines = [l for l in lines if l["type"] == "item"]
        self.assertEqual([(l["index"], l["id"]) for l in item_lines], [(0, "s0"), (1, "s1"), (2, "s2"), (3, "s3")])
        summary = lines[-1]
        self.assertEqual(summary["type"], "summary")
        self.assertEqual((summary["total"], summary["ok"], summary["verdicts"], summary["resumed"]), (4, 4, {"accepted": 4}, 1))


if __name__ == "__main__":
    unittest.main()
