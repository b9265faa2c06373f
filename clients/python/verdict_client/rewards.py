"""Ready-made reward functions for RL trainers, backed by Verdict's /v1/reward.

verl (custom_reward_function.path = this file, name = compute_score, or compute_score_batch
with its batch reward manager):

    def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs) -> float

TRL (GRPOTrainer(reward_funcs=[make_trl_reward()])): a callable over completions whose dataset
columns carry the tests.

The problem's tests come from `ground_truth` (verl) or a dataset column (TRL): any row shape rows.py
reads (Verdict tests; {"inputs", "outputs", "fn_name"?} as APPS, TACO and verl have them;
HumanEval's test + entry_point; MBPP's test_list; open-r1's verification_info; Codeforces'
official_tests), as a dict or its JSON text. A shape that cannot be read as its dataset's
evaluator reads it raises RowError (a ValueError) instead of becoming a test that cannot fail.
The language is `extra_info["language"]` (verl) or the `language` column (TRL), default python,
unless the row names its own.
The service is VERDICT_URL (default http://127.0.0.1:8080); the preset VERDICT_REWARD_PRESET
(default binary).

A failure of Verdict itself is raised (VerdictError, after the client's retries), never
returned as a reward: a trainer must not learn from an outage.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from . import VerdictClient, VerdictError
from .rows import RowError, problem_from_row

__all__ = ["compute_score", "compute_score_batch", "make_trl_reward", "problem_from", "RowError"]

_clients: Dict[str, VerdictClient] = {}


def _client(url: Optional[str] = None) -> VerdictClient:
    url = url or os.environ.get("VERDICT_URL", "http://127.0.0.1:8080")
    if url not in _clients:
        _clients[url] = VerdictClient(url)
    return _clients[url]


def problem_from(tests: Any, language: str = "python", program: Optional[str] = None) -> Dict[str, Any]:
    """Verdict problem fields from a dataset row, a ground_truth or a tests cell (see rows.py); RowError when unreadable.

    `program`, the completion, only tells a LeetCode `class Solution` method from a function.
    """
    return problem_from_row(tests, language, program)


def _rewards(completions: Sequence[str], problems: Sequence[Mapping[str, Any]], preset: Optional[str], url: Optional[str]) -> List[float]:
    preset = preset or os.environ.get("VERDICT_REWARD_PRESET", "binary")
    items = [{"id": str(i), "completion": c, **p} for i, (c, p) in enumerate(zip(completions, problems))]
    lines = _client(url).reward(items, preset=preset, cache=True)
    rewards: List[float] = []
    for line in lines:
        if "reward" not in line:
            error = line.get("error", {})
            raise VerdictError(0, str(error.get("code", line.get("status"))), str(error.get("message", "not judged")), True)
        rewards.append(float(line["reward"]))
    return rewards


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> float:
    """verl's custom reward function: one completion, one reward."""
    language = (extra_info or {}).get("language", "python")
    return _rewards([solution_str], [problem_from(ground_truth, language, solution_str)], kwargs.get("preset"), kwargs.get("url"))[0]


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Optional[Sequence[Optional[Mapping[str, Any]]]] = None,
    **kwargs: Any,
) -> List[float]:
    """verl's batch reward manager: all of a step's completions in one request."""
    infos = extra_infos or [None] * len(solution_strs)
    problems = [problem_from(gt, (info or {}).get("language", "python"), s) for gt, info, s in zip(ground_truths, infos, solution_strs)]
    return _rewards(solution_strs, problems, kwargs.get("preset"), kwargs.get("url"))


def make_trl_reward(
    *, url: Optional[str] = None, preset: Optional[str] = None, tests_column: str = "tests", language_column: str = "language"
) -> Callable[..., List[float]]:
    """A TRL reward function: (completions, **dataset columns) → rewards, one request per batch."""

    def verdict_reward(completions: Sequence[Any], **kwargs: Any) -> List[float]:
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        tests = kwargs[tests_column]
        languages = kwargs.get(language_column) or ["python"] * len(texts)
        problems = [problem_from(t, lang, text) for t, lang, text in zip(tests, languages, texts)]
        return _rewards(texts, problems, preset, url)

    verdict_reward.__name__ = f"verdict_{preset or os.environ.get('VERDICT_REWARD_PRESET', 'binary')}"
    return verdict_reward
