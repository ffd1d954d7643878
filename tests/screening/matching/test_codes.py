"""Codes shared by both sides of a pair must not depend on the process (review defect 5: legal-form
families were coded with Python's salted hash())."""

import os
import subprocess
import sys

from screening.matching.codes import legal_family_codes

_PRINT = "from screening.matching.codes import legal_family_codes as f; print(list(f(['ltd', 'gmbh', 'ag', None])))"


def _codes_in_process(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-c", _PRINT], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_legal_family_codes_are_the_same_in_every_process():
    assert _codes_in_process("1") == _codes_in_process("2") == str(list(legal_family_codes(["ltd", "gmbh", "ag", None])))


def test_legal_family_codes_group_families():
    ltd, gmbh, ag, none = legal_family_codes(["ltd", "gmbh", "ag", None]).tolist()
    assert ltd == gmbh != 0  # both `limited`
    assert ag not in (0, ltd)
    assert none == 0
