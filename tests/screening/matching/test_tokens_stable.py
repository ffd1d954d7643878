"""Token tables travel between processes (published index snapshots, Spark workers): every code in
them must be the same whatever the process's hash salt. They were made with Python's salted hash(),
so a pickled index screened 26 of 165 pairs differently in another process."""

import os
import subprocess
import sys

import numpy as np

from screening.matching.tokens import ARRAY_FIELDS, TokenTable, stable_codes

TOKENS = ["mohammed", "muhammad", "ahhmed", "14th", "15th", "l3harris", "zhang", "张", "ооо", "x"]
_PRINT = (
    "from screening.matching.tokens import TokenTable, ARRAY_FIELDS; import numpy as np;"
    f"t = TokenTable.build({TOKENS!r});"
    "print([np.asarray(getattr(t, f)).tolist() for f in ARRAY_FIELDS if np.asarray(getattr(t, f)).dtype.kind in 'iub'])"
)


def _in_process(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-c", _PRINT], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_token_tables_are_the_same_in_every_process():
    here = TokenTable.build(TOKENS)
    expected = str([np.asarray(getattr(here, f)).tolist() for f in ARRAY_FIELDS
                    if np.asarray(getattr(here, f)).dtype.kind in "iub"])
    assert _in_process("1") == _in_process("2") == expected


def test_stable_codes_are_nonzero_and_zero_only_for_none():
    codes = stable_codes(["a", "b", None, "a"])
    assert codes[0] == codes[3] != 0
    assert codes[1] not in (0, codes[0])
    assert codes[2] == 0
    assert stable_codes([]).shape == (0,)
