"""Bounded derivations (DESIGN principle 6): a step past its limit fails that step only."""
import json
import subprocess
import sys

import pytest

from symfisher.limits import StepTimeout, time_limit


def _spin():
    while True:
        pass


def test_inner_limit_speaks_first():
    with pytest.raises(StepTimeout) as info:
        with time_limit(5, "outer"):
            with time_limit(0.2, "inner"):
                _spin()
    assert info.value.step == "inner"


def test_a_swallowed_timeout_fires_again_until_the_block_is_left():
    with pytest.raises(StepTimeout) as info:
        with time_limit(0.3, "budget"):
            try:
                _spin()
            except StepTimeout:  # a fallback that swallows the first alarm
                pass
            _spin()  # ... is interrupted again
    assert info.value.step == "budget"


def test_intractable_density_fails_its_steps_and_derives_the_rest():
    """A two-component mixture: its Fisher information has no closed form."""
    cmd = [sys.executable, "-m", "symfisher", "derive", "--density", "(1-t)*exp(-x) + 2*t*exp(-2*x)",
           "--var", "x in (0, oo)", "--param", "t in (0, 1)", "--time-limit", "2", "--json"]
    # the subprocess timeout is a hang guard, far above the derivation's own bounds
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "SYMFISHER_NO_CACHE": "1"})
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["score"] is not None and obj["hessian"] is not None
    assert obj["fisher"] is None and obj["fisher_routes_agree"] is False
    steps = {f["step"] for f in obj["failures"]}
    assert any(s.startswith("fisher") for s in steps)
    assert all(f["reason"] for f in obj["failures"])


def test_leaving_an_inner_block_after_the_outer_expired_still_interrupts():
    """The inner block's exit re-arms the timer for the outer deadline, already past."""
    import time

    with pytest.raises(StepTimeout) as info:
        with time_limit(0.3, "outer"):
            try:
                with time_limit(5, "inner"):
                    _spin()
            except StepTimeout:  # swallowed once, by code inside the outer block
                pass
            t0 = time.monotonic()
            _spin()
    assert info.value.step == "outer" and time.monotonic() - t0 < 1.0
